"""notify's rules, one module per idea: `alerts` (which alert an event raises),
`emails` (what an email may say, to whom, when to try again), `account_emails` (the
emails of identity's events), `rendering` (templates → subject, text, HTML).

Plain functions and dataclasses: no nameko, kombu, SQLAlchemy or werkzeug (the build
checks it, .importlinter)."""
