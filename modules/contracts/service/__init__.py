"""Electronic travel contracts: the ONLY entry point other modules call.

Split by topic (drafts, signing, changes, views and public look-ups); every public name
is re-exported here. The public pages use `lookup_tenant_by_e_number`, `signing_view`,
`send_signing_code`, `tourist_sign`, `public_check` and `public_pdf`; the groups module
uses `contracts_for_group` and `signed_contracts`."""

from modules.contracts import domain as domain
from modules.contracts.schemas import (  # noqa: F401 - re-exported
    CancelInput,
    ContractList,
    ContractRow,
    ContractSummary,
    DayInput,
    DraftInput,
    FilingState,
    PersonInput,
    PublicContractView,
    SigningView,
    parse_cancel_form,
    parse_draft_form,
)
from modules.contracts.service.binding import *  # noqa: F403
from modules.contracts.service.changes import *  # noqa: F403
from modules.contracts.service.common import (  # noqa: F401 - re-exported
    SYSTEM,
    Actor,
    ContractNotEditable,
    ContractNotSigned,
    NoEnterpriseCode,
)
from modules.contracts.service.drafts import *  # noqa: F403
from modules.contracts.service.guides import GuideChoice, guide_options  # noqa: F401
from modules.contracts.service.signing import *  # noqa: F403
from modules.contracts.service.views import *  # noqa: F403
