"""Trade flows: one country's imports or exports of an HS heading by partner and year."""

from __future__ import annotations

from pydantic import Field

from chipshift.api.answers.base import Answer, described
from chipshift.schemas import tables


class TradeSource(Answer):
    """The imported trade dataset the flows come from."""

    dataset: str = described(tables.DATASETS, "title")
    version: str | None = described(tables.DATASETS, "version")
    licence: str = described(tables.DATASETS, "licence")
    attribution: str = described(tables.DATASETS, "attribution")


class TradeTotal(Answer):
    """The side's total trade in the heading in one year."""

    year: int = described(tables.TRADE_FLOWS, "year")
    value_usd: float = Field(description="the total over every partner, in US dollars")


class TradeFlow(Answer):
    """The trade of the side with one partner in one year, summed over the heading's products (the trade flows
    table's rows)."""

    year: int = described(tables.TRADE_FLOWS, "year")
    hs: str = Field(description="the HS heading asked about (2 to 6 digits)")
    importer: str = described(tables.TRADE_FLOWS, "importer")
    exporter: str = described(tables.TRADE_FLOWS, "exporter")
    value_usd: float = described(tables.TRADE_FLOWS, "value_usd")
    quantity_t: float | None = described(tables.TRADE_FLOWS, "quantity_t")
    share_pct: float | None = Field(description="the partner's share of the side's total that year, in percent "
                                                "(null when the total is zero)")


class TradeAnswer(Answer):
    """One country's trade in an HS heading by partner and year, from the imported trade flows: with an importer,
    where its imports come from; with an exporter, where its exports go (the answer has the key it was asked
    with, importer or exporter)."""

    hs: str = Field(description="the HS heading (2 to 6 digits; every product code starting with it)")
    importer: str | None = Field(default=None, description="the importing country asked about (ISO3); present "
                                                           "when asked by importer")
    exporter: str | None = Field(default=None, description="the exporting country asked about (ISO3); present "
                                                           "when asked by exporter")
    year: int | None = Field(description="the one year asked about, or null for every year")
    definition: str = Field(description="what the values and shares measure")
    source: TradeSource = Field(description="the dataset, its release, licence and credit line")
    totals: tuple[TradeTotal, ...] = Field(description="the side's total per year, oldest first")
    flows: tuple[TradeFlow, ...] = Field(description="one row per partner and year")
