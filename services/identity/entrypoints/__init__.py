"""identity's entrypoints, one module per capability, each one `<Capability>Entrypoints`
class that `service.IdentityService` composes.

A method reads like a short story: load the schema, check the actor, ask charts (before
any transaction), open the transaction, apply the domain's rules, write through `store`,
record the event, answer. What several capabilities share is in modules named for it:
`sentences` (what identity answers people with), `lookups` (the rows acted on, or
NotFound), `revocation` (ending sessions and saying so), `session_opening` (a session or
the second step).
"""
