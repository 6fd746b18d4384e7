"""marshmallow: RPC input and output, event data. Amounts are integer cents."""
from marshmallow import fields, validate

from services.billing.domain import money
from services.common.schemas import LenientSchema, StrictSchema, rule

Cents = lambda **kw: fields.Integer(strict=True, validate=rule(money.cents_problem), **kw)  # noqa: E731
OptionalFee = lambda: fields.Integer(strict=True, allow_none=True, validate=rule(  # noqa: E731
    lambda v: money.cents_problem(v, allow_zero=True)))
Key = lambda **kw: fields.String(validate=validate.Length(8, 100), **kw)  # noqa: E731
Reason = lambda **kw: fields.String(validate=validate.Length(1, 500), **kw)  # noqa: E731


class UpdateSettings(StrictSchema):
    version = fields.Integer(required=True)
    enabled = fields.Boolean()
    view_invoices = fields.Boolean()
    online_payments = fields.Boolean()
    allow_credit = fields.Boolean()
    late_cancel_fee_cents = OptionalFee()
    no_show_fee_cents = OptionalFee()


class ClientSwitches(StrictSchema):
    view_invoices = fields.Boolean(allow_none=True)
    online_payments = fields.Boolean(allow_none=True)


class CreateCharge(StrictSchema):
    amount_cents = Cents(required=True)
    description = fields.String(required=True, validate=validate.Length(1, 200))
    service_date = fields.Date(load_default=None)
    reason = Reason(load_default=None)


class AdjustCharge(StrictSchema):
    version = fields.Integer(required=True)
    amount_cents = Cents(required=True)
    reason = Reason(required=True)


class VoidCharge(StrictSchema):
    version = fields.Integer(required=True)
    reason = Reason(required=True)


class CreateInvoice(StrictSchema):
    charge_ids = fields.List(fields.String(validate=validate.Length(1, 36)),
                             load_default=None, validate=validate.Length(1, 200))
    share = fields.Boolean(load_default=False)


class RecordPayment(StrictSchema):
    amount_cents = Cents(required=True)
    method = fields.String(required=True, validate=validate.OneOf(
        ("cash", "check", "insurance")))
    invoice_id = fields.String(load_default=None, validate=validate.Length(1, 36))
    reference = fields.String(load_default=None, validate=validate.Length(1, 100))
    idempotency_key = Key(required=True)


class RefundPayment(StrictSchema):
    amount_cents = Cents(required=True)
    reason = Reason(required=True)
    idempotency_key = Key(required=True)


class ListQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("open", "invoiced", "void", "draft", "shared", "paid")))


# ---- what scheduling's events carry that billing reads (extra fields are ignored)

class AppointmentData(LenientSchema):
    appointment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    status = fields.String()


class CancelledData(AppointmentData):
    late = fields.Boolean(load_default=False)
    charge = fields.Dict(allow_none=True, load_default=None)


# ---- event data (checked before recording)

class ChargeEventData(StrictSchema):
    charge_id = fields.String(required=True)
    client_id = fields.String(required=True)
    appointment_id = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    status = fields.String(required=True)


class InvoiceEventData(StrictSchema):
    invoice_id = fields.String(required=True)
    client_id = fields.String(required=True)
    number = fields.Integer(required=True)
    total_cents = fields.Integer(required=True)


class PaymentEventData(StrictSchema):
    payment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    invoice_id = fields.String(allow_none=True, required=True)
    method = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    credit_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(required=True)


class PaymentFailedData(StrictSchema):
    payment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    invoice_id = fields.String(allow_none=True, required=True)
    amount_cents = fields.Integer(required=True)
    code = fields.String(allow_none=True, required=True)


class RefundEventData(StrictSchema):
    refund_id = fields.String(required=True)
    payment_id = fields.String(required=True)
    client_id = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(required=True)


class StartCardPayment(StrictSchema):
    idempotency_key = Key(required=True)
