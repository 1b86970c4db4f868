"""A card pre-authorisation as a visit's tab: the desk holds an amount on the guest's card
for each person (the payments module's `preauthorise`), and the tab may reach it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from app.i18n import gettext as _
from app.payments.gateway import current_gateway
from modules.keytags.schemas.desk import AdmissionInput
from modules.payments import service as payments

SUBJECT = "spa_visit"
log = logging.getLogger("zhilv.keytags")


@dataclass(frozen=True, slots=True)
class CardForm:
    """What the desk page needs to take a card in the browser with Stripe.js (the guest pay
    step's way): the publishable key and the script's address (the emulator's in development)."""

    publishable_key: str
    js_url: str
    stripe_account: str = ""  # the resort's connected account: holds are direct charges on it


async def card_form(db: AsyncSession, tenant_id: TenantId) -> CardForm:
    gateway = current_gateway()
    try:
        account = await payments.charge_account(db, tenant_id)
    except payments.OnlinePaymentsNotReady:
        account = ""  # a hold is refused with the reason on its `card` field
    return CardForm(
        publishable_key=gateway.publishable_key, js_url=gateway.js_url, stripe_account=account
    )


def _tokens(card_token: str, persons: int) -> list[str]:
    """The page's Stripe.js makes one single-use token per person (space separated); an older
    form or a terminal gives one, used for every person."""
    tokens = card_token.split()
    if not tokens:
        return [""] * persons
    return [tokens[i] if i < len(tokens) else tokens[-1] for i in range(persons)]


async def authorise_cards(
    db: AsyncSession,
    tenant_id: TenantId,
    admission: AdmissionInput,
    visit_ids: list[uuid.UUID],
    numbers: list[str],
) -> list[tuple[uuid.UUID, int]]:
    """One hold per person (their payment id and the amount held), in the persons' order."""
    if admission.preauth_fen <= 0:
        raise Invalid.field("preauth", _("Type the amount to hold on the card."))
    held: list[tuple[uuid.UUID, int]] = []
    tokens = _tokens(admission.card_token, len(visit_ids))
    try:
        for visit_id, number, token in zip(visit_ids, numbers, tokens, strict=True):
            view = await payments.preauthorise(
                db,
                tenant_id,
                subject_type=SUBJECT,
                subject_id=visit_id,
                amount_fen=admission.preauth_fen,
                card_token=token,
                description=f"Hot spring visit {number}",
            )
            held.append((view.id, view.amount_fen))
    except Exception:
        for payment_id, _amount in held:  # the party is refused: give earlier holds back
            try:
                await payments.release(db, tenant_id, payment_id)
            except Exception:  # an unreleased hold lapses at the provider by itself
                log.warning("card hold %s of a refused party not released", payment_id)
        raise
    return held
