"""notify's entrypoints, one module per capability, each a `<Capability>Entrypoints`
mixin that `service.NotifyService` composes: `account_emails` (identity's account
emails), `access_notices` ("access removed"), `portal_notices` (a shared document, an
appointment booked or cancelled), `staff_alerts` (alerts raised by others' events),
`parked_alerts` (a delivery parked after its retries), `alert_inbox` (staff list and read
their alerts). `email_queue` is what the email-sending ones share.

Handler method names are frozen: they name the handlers' queues."""
