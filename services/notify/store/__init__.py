"""notify's SQL, one module per aggregate: `alerts` (staff alerts and who read them),
`emails` (the outgoing queue: queue, claim, mark). Functions taking a session (or, for
the Mailer's own short transactions, the Database provider)."""
