"""Portal users in the management API: lift a lockout (the API key is the administrator's credential)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from sangsaeng.roles import API_KEY
from sangsaeng.web.deps import ServicesDep, api_key

router = APIRouter(prefix="/api/users", dependencies=[Depends(api_key)], tags=["users"])


@router.post("/{name}/unlock", summary="Let a portal user sign in again after failed attempts locked the account")
async def unlock(name: str, svc: ServicesDep) -> dict[str, Any]:
    return {"name": name, "wasLocked": await svc.accounts.unlock(name, by=API_KEY)}
