"""A document read by the ingestion pipeline: its claims, restriction events, references, findings and loaded
language, each with its character span; and, when accepted, what was stored. The tables of the answer tag each
row with its document's name; ``details`` holds each document's full reading (its text, the entities, quantities,
periods and citation markers found)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import Answer, RuleKind

Span = tuple[int, int]
FindingSeverity = Literal["error", "warning", "notice", "info"]
KbVerdict = Literal["agrees", "disagrees", "new", "not_comparable", "not_checked"]


class ReadClaim(Answer):
    """A figure the document states: who, what, when, with its span."""

    id: str = Field(description="the claim's id in the reading (C1, C2 ...)")
    entity: str | None = Field(description="the firm, country or input it is about (id), if recognised")
    entity_name: str = Field(description="that entity's name as read")
    metric: str = Field(description="what it measures (the facts table's metric codes)")
    value: float = Field(description="the value, in unit")
    unit: str = Field(description="its unit (a vocabulary code)")
    period: str | None = Field(description="the period it is for, if given")
    region: str | None = Field(description="the region it covers, if said")
    product: str | None = Field(description="the product it is about, if said")
    definition: str | None = Field(description="what exactly it counts, where the text says")
    approx: bool = Field(description="whether the text hedges it (about, some, nearly)")
    bound: Literal["min", "max"] | None = Field(
        default=None, description="min when the text gives it as a lower bound (more than, topped), max as an upper "
                                  "one (less than, up to); the knowledge-base check takes it so")
    text: str = Field(description="the figure as written")
    span: Span = Field(description="the figure's character span")
    sentence: Span = Field(description="its sentence's character span")
    citations: tuple[int, ...] = Field(description="the reference numbers cited in its sentence")
    kb: KbVerdict = Field(description="what the knowledge base says of it")
    confidence: float = Field(description="how sure the reading is, 0-1")


class CandidateProduct(Answer):
    """An input a candidate rule covers."""

    input: str = Field(description="the input's id")


class CandidateRule(Answer):
    """A restriction event as a rule record (the rules table's keys), unreviewed."""

    id: str = Field(description="the rule's id (DOC-...)")
    name: str = Field(description="its name")
    imposed_by: str = Field(description="who imposes it (XVC when unknown)")
    authority: str | None = Field(description="the law or authority it rests on, if said")
    kind: RuleKind = Field(description="the kind of rule")
    policy: str | None = Field(description="its licence policy, if said")
    products: tuple[CandidateProduct, ...] | None = Field(description="the inputs it covers (null: none identified)")
    sellers: dict[str, tuple[str, ...]] | None = Field(description="the sellers it names, by kind")
    targets: dict[str, tuple[str, ...]] | None = Field(description="whom it targets: countries, firms, segments")
    announced: str | None = Field(description="when it was announced")
    effective: str | None = Field(description="when it takes effect")
    ended: str | None = Field(description="when it ended (always null: read from a document)")
    relaxes: str | None = Field(description="the rule it relaxes (always null: read from a document)")
    summary: str = Field(description="the rule in a sentence")
    source: str = Field(description="the document's source id")
    quote: str = Field(description="the sentence it was read from")
    status: str = Field(description="its status ('reported')")
    gaps: tuple[str, ...] = Field(description="what a reviewer must fill in or check")
    origin: Literal["document"] = Field(description="where it comes from")


class ReadEvent(Answer):
    """A restriction event the document reports."""

    id: str = Field(description="the event's id in the reading (E1, E2 ...)")
    kind: RuleKind = Field(description="the kind of restriction")
    imposed_by: str | None = Field(description="who imposes it (id)")
    authority: str | None = Field(description="the law or authority it rests on, if said")
    policy: str | None = Field(description="its licence policy, if said")
    sellers: dict[str, tuple[str, ...]] = Field(description="the sellers it names, by kind")
    targets: dict[str, tuple[str, ...]] = Field(description="whom it targets: countries, firms, segments")
    products: tuple[str, ...] = Field(description="the inputs it covers (ids)")
    announced: str | None = Field(description="when it was announced")
    effective: str | None = Field(description="when it takes effect")
    date_note: str | None = Field(description="where its date comes from, when not from its sentence")
    modality: str = Field(description="stated, reported, planned or possible")
    spans: tuple[Span, ...] = Field(description="its character spans")
    sentence: str = Field(description="its sentence")
    citations: tuple[int, ...] = Field(description="the reference numbers cited in its sentence")
    known_rule: str | None = Field(description="the knowledge base's rule it matches, if any")
    confidence: float = Field(description="how sure the reading is, 0-1")
    imposed_by_name: str = Field(description="who imposes it, by name")
    candidate_rule: CandidateRule = Field(description="the event as an unreviewed rule record")


class ReadReference(Answer):
    """An entry of the document's list of references."""

    number: int = Field(description="its number")
    author: str | None = Field(description="its author")
    title: str | None = Field(description="its title")
    publisher: str | None = Field(description="its publisher")
    date: str | None = Field(description="its date")
    url: str | None = Field(description="its address")
    span: Span = Field(description="its character span")


class ReadFinding(Answer):
    """Something a check found: arithmetic that does not add up, a claim the knowledge base disputes, a
    citation that does not support its sentence."""

    id: str = Field(description="the finding's id (F1, F2 ...)")
    check: str = Field(description="the check that found it (e.g. fold_vs_percent, kb_disagrees)")
    severity: FindingSeverity = Field(description="error, warning, notice or info")
    message: str = Field(description="what was found, in words")
    spans: tuple[Span, ...] = Field(description="the character spans it concerns")
    claims: tuple[str, ...] = Field(description="the claims and events it concerns")
    details: dict[str, Any] = Field(description="the figures behind it (keys depend on the check)")


class LoadedPhrase(Answer):
    """Wording that asserts more than it shows."""

    text: str = Field(description="the phrase")
    category: Literal["intensifier", "value_judgement", "certainty", "metaphor"] = Field(
        description="what kind of loaded language")
    explanation: str = Field(description="why it is flagged")
    span: Span = Field(description="its character span")


class NameCandidate(Answer):
    """A name the knowledge base does not know, found more than once or looking like an organisation."""

    name: str = Field(description="the name")
    count: int = Field(description="how often it occurs")
    kind_guess: Literal["agency", "organisation", "name"] = Field(description="what it looks like")
    spans: tuple[Span, ...] = Field(description="where (the first five)")


class ReadEntity(Answer):
    """A known firm, country, input or agency the document mentions."""

    id: str | None = Field(description="its id")
    kind: Literal["firm", "country", "input", "agency"] = Field(description="what it is")
    texts: tuple[str, ...] = Field(description="how the document names it")
    mentions: int = Field(description="how often it is mentioned")
    confidence: float = Field(description="the surest mention's confidence, 0-1")
    via: str = Field(description="how it was recognised (name, alias, demonym, metonym, agency)")
    spans: tuple[Span, ...] = Field(description="where (the first ten)")


class ReadQuantity(Answer):
    """A quantity written in the document."""

    kind: Literal["percent", "points", "fold", "money", "count", "mass"] = Field(description="what kind")
    value: float = Field(description="its value, in unit")
    unit: str = Field(description="its unit (a vocabulary code)")
    currency: str | None = Field(description="its currency, for money")
    text: str = Field(description="as written")
    span: Span = Field(description="its character span")
    approx: bool = Field(description="whether the text hedges it")


class ReadConversion(Answer):
    """An amount the document gives in two units (e.g. yuan and dollars)."""

    from_: str = Field(alias="from", description="the first amount as written")
    to: str = Field(description="the second amount as written")
    span: Span = Field(description="their character span")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ReadPeriod(Answer):
    """A date or period the document mentions."""

    text: str = Field(description="as written")
    label: str | None = Field(description="as a period label (e.g. 2025Q3), if it resolves to one")
    kind: Literal["date", "year", "quarter", "half", "fiscal", "span", "relative", "month"] = Field(
        description="what kind of period")
    span: Span = Field(description="its character span")
    note: str | None = Field(description="how it was resolved, where not plain")


class CitationMarker(Answer):
    """A citation marker in the text ([1], [2, 3])."""

    numbers: tuple[int, ...] = Field(description="the reference numbers it cites")
    span: Span = Field(description="its character span")


class DocumentRead(Answer):
    """The document as read."""

    name: str = Field(description="its name (a file name, or the label given)")
    kind: str = Field(description="how it was read: text, html or markdown")
    title: str = Field(description="its title (else its first line)")
    url: str | None = Field(description="where it was published, if given")
    date: str | None = Field(description="its date (YYYY-MM-DD), if known")
    date_source: str | None = Field(description="where the date comes from (given, document metadata, ...)")
    chars: int = Field(description="characters of its text")
    words: int = Field(description="words of its text")
    sha256: str = Field(description="digest of its text")
    source_id: str = Field(description="the source id it is stored under when accepted")
    warnings: tuple[str, ...] = Field(description="what reading it ran into")
    text: str = Field(description="its text as read (the spans index it)")


class DocumentReading(Answer):
    """One document's full reading."""

    document: DocumentRead = Field(description="the document")
    claims: tuple[ReadClaim, ...] = Field(description="the figures it states")
    events: tuple[ReadEvent, ...] = Field(description="the restriction events it reports")
    entities: tuple[ReadEntity, ...] = Field(description="the known entities it mentions, most mentioned first")
    candidates: tuple[NameCandidate, ...] = Field(description="names the knowledge base does not know")
    quantities: tuple[ReadQuantity, ...] = Field(description="every quantity written")
    conversions: tuple[ReadConversion, ...] = Field(description="amounts given in two units")
    periods: tuple[ReadPeriod, ...] = Field(description="the dates and periods mentioned")
    citations: tuple[CitationMarker, ...] = Field(description="the citation markers")
    references: tuple[ReadReference, ...] = Field(description="its list of references")
    findings: tuple[ReadFinding, ...] = Field(description="what the checks found, most severe first")
    loaded_language: tuple[LoadedPhrase, ...] = Field(description="wording that asserts more than it shows")


class DocumentSummary(Answer):
    """A document read, in one row."""

    name: str = Field(description="its name")
    title: str = Field(description="its title")
    kind: str = Field(description="how it was read: text, html or markdown")
    date: str | None = Field(description="its date, if known")
    date_source: str | None = Field(description="where the date comes from")
    url: str | None = Field(description="where it was published, if given")
    words: int = Field(description="words of its text")
    source_id: str = Field(description="the source id it is stored under when accepted")
    claims: int = Field(description="claims read")
    events: int = Field(description="restriction events read")
    findings: int = Field(description="findings")
    loaded: int = Field(description="loaded phrases")


class _OfDocument(Answer):
    document: str = Field(description="the document's name")


class DocumentClaim(ReadClaim, _OfDocument):
    """A claim, tagged with its document."""


class DocumentEvent(ReadEvent, _OfDocument):
    """A restriction event, tagged with its document."""


class DocumentReference(ReadReference, _OfDocument):
    """A reference, tagged with its document."""


class DocumentFinding(ReadFinding, _OfDocument):
    """A finding, tagged with its document."""


class DocumentLoadedPhrase(LoadedPhrase, _OfDocument):
    """A loaded phrase, tagged with its document."""


class DocumentNameCandidate(NameCandidate, _OfDocument):
    """An unknown name, tagged with its document."""


class SkippedClaim(Answer):
    """A claim not stored, and why."""

    claim: str = Field(description="the claim's id")
    reason: str = Field(description="why it was not stored")


class StoredDocuments(Answer):
    """What accepting stored: the documents as sources, their storable claims as facts (status claim) and their
    events as candidate rules (unreviewed)."""

    sources: int = Field(description="sources stored")
    facts: int = Field(description="facts stored")
    rules: int = Field(description="candidate rules stored")
    skipped: tuple[SkippedClaim, ...] = Field(description="claims not stored, and why")
    source_ids: tuple[str, ...] = Field(description="the sources' ids")


class IngestAnswer(Answer):
    """Documents read (nothing stored unless accepted): claims, events, references, findings, loaded language."""

    files: int = Field(description="documents read")
    accepted: bool = Field(description="whether their claims and candidate rules were stored")
    stored: StoredDocuments | None = Field(description="what was stored (null: nothing)")
    documents: tuple[DocumentSummary, ...] = Field(description="each document in one row")
    claims: tuple[DocumentClaim, ...] = Field(description="the figures they state")
    events: tuple[DocumentEvent, ...] = Field(description="the restriction events they report")
    references: tuple[DocumentReference, ...] = Field(description="their references")
    findings: tuple[DocumentFinding, ...] = Field(description="what the checks found")
    loaded_language: tuple[DocumentLoadedPhrase, ...] = Field(description="wording that asserts more than it "
                                                                          "shows")
    candidates: tuple[DocumentNameCandidate, ...] = Field(description="names the knowledge base does not know")
    details: tuple[DocumentReading, ...] = Field(description="each document's full reading")
