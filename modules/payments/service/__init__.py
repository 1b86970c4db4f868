"""Payments' behaviour; the only entry point other modules may call.

Other modules call `start_payment` (a card payment for the pay page), `refund` (on
cancellation, with the refundable amount the reservations module computed),
`payments_for` and `record_manual_payment` (money taken at the desk). Each topic module
lists its public names in `__all__`; they are all re-exported here."""

from modules.payments.schemas import CardResult as CardResult
from modules.payments.schemas import PaymentStart as PaymentStart
from modules.payments.schemas import PaymentView as PaymentView
from modules.payments.schemas import PayPage as PayPage
from modules.payments.schemas import RefundView as RefundView
from modules.payments.service.intents import *  # noqa: F403
from modules.payments.service.pages import *  # noqa: F403
from modules.payments.service.refunds import *  # noqa: F403
from modules.payments.service.webhooks import *  # noqa: F403
