"""The whole exchange driven through a client generated from the OpenAPI document.

Run by .ci/outside-in against a server holding the demo data:

    python .ci/client_flow.py http://127.0.0.1:18181

with the package `techx_client` (openapi-python-client's output for openapi/openapi.json) on
PYTHONPATH. Only the generated functions and typed models are used: every answer must parse into
the model the document names for its status, or the flow fails there.

register → an admin verifies the organization → a listing → submit → publish → search finds it →
a need is posted and published → its matches → an inquiry and a reply → an access request and its
grant → a match saved, introduced and accepted by both sides → an engagement through its stages to
a signed contract → an outcome.
"""

import sys
import uuid
from datetime import date, datetime, timedelta, timezone

from techx_client import AuthenticatedClient, Client
from techx_client.api.auth import create_token, get_me, register_account
from techx_client.api.brokerage import (
    answer_match,
    change_engagement_stage,
    create_access_request,
    create_engagement,
    create_inquiry,
    create_inquiry_message,
    create_match,
    create_outcome,
    get_inquiry,
    grant_access_request,
    introduce_match,
    list_listing_contracts,
    list_outcomes,
)
from techx_client.api.listings import create_listing, get_listing, transition_listing
from techx_client.api.matching import list_request_matches
from techx_client.api.organizations import verify_organization
from techx_client.api.requests import create_request, transition_request
from techx_client.api.search import search_records
from techx_client.models import (
    AccessDecisionForm,
    Action,
    AccessRequestForm,
    AccessRequestView,
    AnswerForm,
    ContractForm,
    ContractKind,
    CooperationType,
    EngagementForm,
    EngagementStage,
    EngagementView,
    Entity,
    InquiryForm,
    InquiryView,
    ListingForm,
    ListingKind,
    ListingView,
    LoginForm,
    MatchAnswer,
    MatchForm,
    MatchResults,
    MatchSide,
    MatchStatus,
    MatchView,
    MessageForm,
    NoteForm,
    MeView,
    OrganizationForm,
    OrganizationView,
    OrgType,
    OutcomeForm,
    OutcomeKind,
    OutcomeView,
    PageContractView,
    PageOutcomeView,
    RecordStatus,
    RegisterForm,
    RequestForm,
    RequestKind,
    RequestView,
    SciField,
    SearchKind,
    SearchResults,
    StageForm,
    TokenPair,
    TransferForm,
    TransitionForm,
    Verification,
    VerificationForm,
)

PASSWORD = "techx-demo-2026"
steps = 0


def expect(response, status, model, what):
    """The answer has `status` and parsed into `model`; returns the parsed model."""
    global steps
    steps += 1
    parsed = response.parsed
    if response.status_code != status or not isinstance(parsed, model):
        raise SystemExit(
            f"step {steps} ({what}): expected {status} {model.__name__}, got "
            f"{response.status_code} {type(parsed).__name__}: {response.content[:500]!r}"
        )
    print(f"{steps:2}. {what}: {status} {model.__name__}")
    return parsed


def etag(version):
    return f'"{version}"'


def main(base):
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)

    def sign_in(email, password=PASSWORD):
        tokens = expect(
            create_token.sync_detailed(client=anonymous, body=LoginForm(email=email, password=password)),
            200, TokenPair, f"{email} signs in")
        return AuthenticatedClient(base_url=base, token=tokens.access_token,
                                   raise_on_unexpected_status=True)

    # A new research institute registers, and an admin verifies it.
    run = uuid.uuid4().hex[:8]
    email = f"chuyengiao.{run}@vienthanhhoa.vn"
    me = expect(register_account.sync_detailed(client=anonymous, body=RegisterForm(
        email=email, full_name="Lê Thị Hoa", password="mot cau mat khau dai 2026",
        organization=OrganizationForm(name=f"Viện Công nghệ Sinh học Thanh Hóa {run}",
                                      org_type=OrgType.RESEARCH_INSTITUTE))),
        201, MeView, "a researcher registers with her institute")
    institute_id = me.memberships[0].organization_id
    researcher = sign_in(email, "mot cau mat khau dai 2026")
    admin = sign_in("admin@techx.thanhhoa.gov.vn")
    organization = expect(verify_organization.sync_detailed(
        institute_id, client=admin, body=VerificationForm(decision=Verification.VERIFIED)),
        200, OrganizationView, "the admin verifies the institute")
    assert organization.verification == Verification.VERIFIED

    # The institute offers a technology; a moderator publishes it; search finds it.
    listing = expect(create_listing.sync_detailed(client=researcher, body=ListingForm(
        kind=ListingKind.TECHNOLOGY,
        title=f"Chế phẩm vi sinh xử lý phụ phẩm rơm rạ thành phân hữu cơ {run}",
        summary="Chế phẩm vi sinh phân giải rơm rạ và phụ phẩm nông nghiệp thành phân bón hữu cơ "
                "trong 25 ngày, dùng ngay tại ruộng, giảm đốt rơm và chi phí phân bón.",
        sci_fields=[SciField("4.1")], trl=7, keywords=["vi sinh", "rơm rạ", "phân hữu cơ"],
        cooperation_types=[CooperationType.LICENSE],
        confidential_details="Chủng vi sinh và quy trình nhân giống chi tiết.")),
        201, ListingView, "the institute drafts a listing")
    listing = expect(transition_listing.sync_detailed(
        listing.id, client=researcher, body=TransitionForm(action=Action.SUBMIT),
        if_match=etag(listing.version)), 200, ListingView, "it submits the listing")
    moderator = sign_in("kiemduyet@techx.thanhhoa.gov.vn")
    listing = expect(transition_listing.sync_detailed(
        listing.id, client=moderator, body=TransitionForm(action=Action.PUBLISH)),
        200, ListingView, "a moderator publishes it")
    assert listing.status == RecordStatus.PUBLISHED
    found = expect(search_records.sync_detailed(
        client=anonymous, q=f"che pham vi sinh rom ra {run}", kind=SearchKind.LISTING),
        200, SearchResults, "anyone searches without diacritics")
    hit = next((h for h in found.items if h.id == listing.id), None)
    assert hit is not None, "the search does not find the published listing"
    assert isinstance(hit.listing, ListingView), f"a hit's listing is {type(hit.listing)}"

    # An enterprise posts a need; the moderator publishes it; its matches include the offer.
    enterprise = sign_in("giamdoc@nongsanxuthanh.vn")
    need = expect(create_request.sync_detailed(client=enterprise, body=RequestForm(
        kind=RequestKind.TECHNOLOGY_ACQUISITION,
        title=f"Cần công nghệ xử lý rơm rạ thành phân bón hữu cơ vi sinh {run}",
        problem="Hợp tác xã thu gom rơm rạ sau thu hoạch và cần chế phẩm vi sinh để ủ thành "
                "phân hữu cơ ngay tại ruộng thay cho việc đốt rơm.",
        sci_fields=[SciField("4.1")], trl_min=6, keywords=["rơm rạ", "vi sinh"],
        accepted_cooperation_types=[CooperationType.LICENSE])),
        201, RequestView, "an enterprise drafts a need")
    need = expect(transition_request.sync_detailed(
        need.id, client=enterprise, body=TransitionForm(action=Action.SUBMIT),
        if_match=etag(need.version)), 200, RequestView, "it submits the need")
    need = expect(transition_request.sync_detailed(
        need.id, client=moderator, body=TransitionForm(action=Action.PUBLISH)),
        200, RequestView, "the moderator publishes it")
    matches = expect(list_request_matches.sync_detailed(need.id, client=enterprise, limit=20),
                     200, MatchResults, "the need's matches")
    assert any(m.id == listing.id for m in matches.items), "the offer is not among the matches"

    # The enterprise asks about the offer; the institute replies.
    inquiry = expect(create_inquiry.sync_detailed(client=enterprise, body=InquiryForm(
        entity=Entity.LISTING, entity_id=listing.id,
        message="Chế phẩm có dùng được cho rơm rạ ướt sau mùa mưa không?")),
        201, InquiryView, "the enterprise sends an inquiry")
    expect(create_inquiry_message.sync_detailed(inquiry.id, client=researcher, body=MessageForm(
        body="Được, độ ẩm tối ưu 60-70%; chúng tôi hướng dẫn tại ruộng.")),
        200, InquiryView, "the institute replies")
    thread = expect(get_inquiry.sync_detailed(inquiry.id, client=enterprise),
                    200, InquiryView, "the enterprise reads the thread")
    assert [m.side.value for m in thread.messages] == ["owner"], thread.messages

    # The enterprise asks for the confidential tier; the institute grants it.
    asked = expect(create_access_request.sync_detailed(client=enterprise, body=AccessRequestForm(
        entity=Entity.LISTING, entity_id=listing.id,
        message="Để đánh giá trước khi ký thỏa thuận bảo mật.")),
        201, AccessRequestView, "the enterprise asks for the confidential tier")
    until = datetime.now(timezone.utc) + timedelta(days=30)
    expect(grant_access_request.sync_detailed(asked.id, client=researcher, body=AccessDecisionForm(
        expires_at=until)), 200, AccessRequestView, "the institute grants it")
    seen = expect(get_listing.sync_detailed(listing.id, client=enterprise),
                  200, ListingView, "the enterprise reads the listing")
    assert seen.confidential_details, "the grant does not show the confidential tier"

    # A broker saves the match and introduces it; both sides accept.
    broker = sign_in("moigioi@techx.thanhhoa.gov.vn")
    match = expect(create_match.sync_detailed(client=broker, body=MatchForm(
        listing_id=listing.id, request_id=need.id)), 201, MatchView, "a broker saves the match")
    expect(introduce_match.sync_detailed(match.id, client=broker, body=NoteForm(
        note="Hai bên cùng quan tâm xử lý rơm rạ tại Thanh Hóa.")), 200, MatchView,
        "the broker introduces it")
    expect(answer_match.sync_detailed(match.id, client=researcher, body=AnswerForm(
        answer=MatchAnswer.ACCEPT, side=MatchSide.LISTING)), 200, MatchView, "the institute accepts")
    match = expect(answer_match.sync_detailed(match.id, client=enterprise, body=AnswerForm(
        answer=MatchAnswer.ACCEPT, side=MatchSide.REQUEST)), 200, MatchView,
        "the enterprise accepts")
    assert match.status == MatchStatus.ACCEPTED

    # The engagement runs to a signed contract, and the outcome is recorded.
    engagement = expect(create_engagement.sync_detailed(client=broker, body=EngagementForm(
        match_id=match.id)), 201, EngagementView, "the broker opens an engagement")
    for stage in ["nda_signed", "meeting_held", "negotiation"]:
        engagement = expect(change_engagement_stage.sync_detailed(
            engagement.id, client=broker, body=StageForm(stage=EngagementStage(stage))),
            200, EngagementView, f"the engagement moves to {stage}")
    engagement = expect(change_engagement_stage.sync_detailed(engagement.id, client=broker,
        body=StageForm(stage=EngagementStage.CONTRACT_SIGNED, contract=ContractForm(
            kind=ContractKind.TECHNOLOGY_TRANSFER, signed_on=date.today(),
            value_vnd=450_000_000, transfer_form=TransferForm("standalone")))),
        200, EngagementView, "the contract is signed")
    contracts = expect(list_listing_contracts.sync_detailed(listing.id, client=broker),
                       200, PageContractView, "the listing's contracts")
    assert contracts.total == 1 and contracts.items[0].value_vnd == 450_000_000, contracts
    expect(create_outcome.sync_detailed(client=broker, body=OutcomeForm(
        kind=OutcomeKind.COMMERCIALISATION, occurred_on=date.today(),
        title="Chế phẩm vi sinh xử lý rơm rạ được hợp tác xã đưa vào sản xuất",
        channel="chuyển giao cho hợp tác xã", engagement_id=engagement.id,
        listing_id=listing.id)), 201, OutcomeView, "the broker records the outcome")
    outcomes = expect(list_outcomes.sync_detailed(client=broker, engagement_id=engagement.id),
                      200, PageOutcomeView, "the engagement's outcomes")
    assert outcomes.total == 1, outcomes
    me = expect(get_me.sync_detailed(client=researcher), 200, MeView, "the researcher's account")
    assert me.memberships[0].organization_id == institute_id
    print(f"the generated client drove the whole exchange in {steps} typed calls")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
