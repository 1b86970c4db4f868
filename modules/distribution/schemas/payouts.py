"""Console forms and labels of payouts: the supplier's 申请付款 (with the bank account when it
is paid by bank transfer) and the platform clerk's 标记已付."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from app.enums import LabelledEnum
from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, Text
from modules.distribution.repository.payouts import BankDetails

# A mainland bank account or card number: 8 to 32 ASCII digits (spaces allowed when typed).
BANK_ACCOUNT = re.compile(r"[0-9]{8,32}")
UUID_TEXT = re.compile(r"[0-9a-fA-F-]{32,36}")


class PayoutStatusLabel(LabelledEnum):
    PENDING = "pending", "Waiting to be paid"
    IN_TRANSIT = "in_transit", "On its way"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payout failed"


class PayoutMethodLabel(LabelledEnum):
    STRIPE = "stripe", "Stripe (to your connected account)"
    BANK = "bank", "Bank transfer"


def _bad(field: str, message: str) -> Invalid:
    return Invalid(errors=[{"field": field, "code": "invalid", "message": message}])


@dataclass
class PayoutRequestForm(Cleaned):
    """申请付款. The bank fields are used only when the payout goes by bank transfer; left
    empty, the account of the last bank payout is used."""

    bank_name: Annotated[str, Text(100)] = ""
    bank_account: Annotated[str, Text(40)] = ""
    account_holder: Annotated[str, Text(100)] = ""

    def parse(self) -> BankDetails | None:
        if not (self.bank_name or self.bank_account or self.account_holder):
            return None
        account = self.bank_account.replace(" ", "")
        if not BANK_ACCOUNT.fullmatch(account):
            raise _bad("bank_account", gettext("Enter the account number: 8 to 32 digits."))
        if not self.bank_name:
            raise _bad("bank_name", gettext("Enter the bank and branch the account is held at."))
        if not self.account_holder:
            raise _bad("account_holder", gettext("Enter the account holder's name."))
        return BankDetails(self.bank_name, account, self.account_holder)


@dataclass
class MarkPaidForm(Cleaned):
    """The clerk's 标记已付 on the operator's page: which supplier's payout."""

    tenant_id: Annotated[str, Text(40)] = ""
    payout_id: Annotated[str, Text(40)] = ""

    def parse(self) -> tuple[uuid.UUID, uuid.UUID]:
        try:
            if not (UUID_TEXT.fullmatch(self.tenant_id) and UUID_TEXT.fullmatch(self.payout_id)):
                raise ValueError
            return uuid.UUID(self.tenant_id), uuid.UUID(self.payout_id)
        except ValueError:
            raise _bad("payout_id", gettext("This payout does not exist.")) from None
