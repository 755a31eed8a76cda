"""Trades on a localnet node through the official `bittensor` SDK (11.x): the SDK composes,
signs (sr25519, its own codec) and submits Subtensor v4 extrinsics over Substrate's JSON-RPC
and waits for them to finalize. Prints one JSON object on the last stdout line: each step's
outcome as the SDK reports it. The Rust test beside this file (sdk.rs) checks the chain's
state afterwards against it, to the rao.

Usage: python sdk_writes.py <ws url> <request JSON>
  request = {"signer": "//Alice", "dest": ss58, "transfer_rao": n, "hotkey": ss58,
             "netuid": n, "stake_rao": n, "buy_limit_rao": n, "unstake_rao": n,
             "sell_limit_rao": n, "refused_limit_rao": n, "shielded_hotkey": ss58,
             "shielded_netuid": n, "shielded_rao": n, "owner": "//Owner3",
             "identity_netuid": n, "identity_name": str}
"""

import asyncio
import json
import sys

import bittensor as bt
import bittensor_core


def outcome(result):
    """What the SDK says of one submission."""
    events = []
    for e in result.events or []:
        name = e.get("event_id") if isinstance(e, dict) else None
        module = e.get("module_id") if isinstance(e, dict) else None
        events.append(f"{module}.{name}" if name else str(e)[:80])
    return {
        "success": bool(result.success),
        "message": result.message,
        "block_hash": result.block_hash,
        "extrinsic_id": result.extrinsic_id,
        "fee": None if result.fee is None else int(getattr(result.fee, "rao", result.fee)),
        "error": None if result.error is None else str(result.error),
        "events": events,
    }


async def trade(url, r):
    key = bittensor_core.Keypair.create_from_uri(r["signer"])
    out = {"signer": key.ss58_address}
    async with bt.Subtensor(url) as client:
        out["transfer"] = outcome(
            await client.execute(
                bt.Transfer(dest_ss58=r["dest"], amount_tao=bt.rao(r["transfer_rao"])), key
            )
        )
        out["buy"] = outcome(
            await client.execute(
                bt.AddStakeLimit(
                    hotkey_ss58=r["hotkey"],
                    netuid=r["netuid"],
                    amount_tao=bt.rao(r["stake_rao"]),
                    limit_price_rao=r["buy_limit_rao"],
                    allow_partial=False,
                ),
                key,
            )
        )
        out["sell"] = outcome(
            await client.execute(
                bt.RemoveStakeLimit(
                    hotkey_ss58=r["hotkey"],
                    netuid=r["netuid"],
                    amount_alpha=bt.rao(r["unstake_rao"], r["netuid"]),
                    limit_price_rao=r["sell_limit_rao"],
                    allow_partial=True,
                ),
                key,
            )
        )
        # A fill-or-kill buy whose limit is below the price: refused before it runs.
        try:
            refused = await client.execute(
                bt.AddStakeLimit(
                    hotkey_ss58=r["hotkey"],
                    netuid=r["netuid"],
                    amount_tao=bt.rao(r["stake_rao"]),
                    limit_price_rao=r["refused_limit_rao"],
                    allow_partial=False,
                ),
                key,
            )
            out["refused"] = outcome(refused)
        except Exception as e:  # the SDK raises for a pool refusal
            out["refused"] = {"success": False, "raised": type(e).__name__, "error": str(e)}
        # A stake MEV-shielded, as the SDK sends trades by default: signed at nonce n + 1,
        # encrypted to the node's MevShield.NextKey, carried by MevShield.submit_encrypted
        # (nonce n); the SDK then finds the decrypted stake in the block by its hash. Last,
        # because the SDK 11.3 nonce cache then hands out n + 1 again (pinned at the wrapper's
        # n), which the chain refuses as Stale.
        out["shielded"] = outcome(
            await client.submit_shielded(
                bt.AddStake(
                    hotkey_ss58=r["shielded_hotkey"],
                    netuid=r["shielded_netuid"],
                    amount_tao=bt.rao(r["shielded_rao"]),
                ),
                key,
            )
        )
        # The owner of an unnamed subnet names it (Subtensor's set_subnet_identity), then the
        # SDK reads the identity back.
        owner = bittensor_core.Keypair.create_from_uri(r["owner"])
        out["identity_set"] = outcome(
            await client.execute(
                bt.SetSubnetIdentity(
                    netuid=r["identity_netuid"],
                    subnet_name=r["identity_name"],
                    github_repo="https://github.com/example/gamma",
                    subnet_url="https://gamma.example",
                    description="Gamma, named through the SDK.",
                ),
                owner,
            )
        )
        out["identity"] = await client.subnets.subnet_identity(r["identity_netuid"])
        out["balance_after"] = (await client.balances.balance(key.ss58_address)).rao
        out["stake_after"] = (
            await client.staking.stake(key.ss58_address, r["hotkey"], r["netuid"])
        ).rao
    return out


def main():
    url, request = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(asyncio.run(trade(url, request))))


if __name__ == "__main__":
    main()
