"""Grant funds and the winners chosen under them (DESIGN §3b): funds, proposals, cuts, confirmation."""

from app.services.funding.allocation import (
    FundEdge,
    FundingError,
    allocation_json,
    fund_edges,
    granted_amounts,
    round_proposals,
)

__all__ = ["FundEdge", "FundingError", "allocation_json", "fund_edges", "granted_amounts", "round_proposals"]
