"""Reads a localnet node through the official `bittensor` SDK (11.x), which speaks Substrate's
JSON-RPC only, and prints what it read as one JSON object on the last stdout line. The Rust
test beside this file (sdk.rs) starts the node, runs this once with everything to read, and
compares the answer with localnet's own views to the rao.

Usage: python sdk_reads.py <ws url> <request JSON>
  request = {"coldkeys": [ss58], "quotes": [[netuid, "stake"|"unstake", amount as a decimal
             string]], "stakes": [[coldkey, hotkey, netuid]], "metagraphs": [netuid]}

Amounts come back in rao; addresses as SS58.
"""

import asyncio
import json
import sys

import bittensor as bt


def text(value):
    """A chain byte string (a list of ints, as the runtime's compact-byte vectors decode) as text."""
    if isinstance(value, str):
        return value
    return bytes(int(b) for b in value or []).decode("utf-8")


def neuron(n):
    return {
        "uid": n.uid,
        "hotkey": n.hotkey,
        "coldkey": n.coldkey,
        "active": n.active,
        "validator_permit": n.validator_permit,
        "last_update": n.last_update,
        "block_at_registration": n.block_at_registration,
        "emission": n.emission.rao,
        "alpha_stake": n.alpha_stake.rao,
        "tao_stake": n.tao_stake.rao,
        "total_stake": n.total_stake.rao,
        "axon": n.axon,
    }


def metagraph(m):
    raw = m.raw
    return {
        "netuid": m.netuid,
        "name": m.name,
        "symbol": m.symbol,
        "block": m.block,
        "tempo": m.tempo,
        "last_step": m.last_step,
        "blocks_since_last_step": m.blocks_since_last_step,
        "owner_hotkey": m.owner_hotkey,
        "owner_coldkey": m.owner_coldkey,
        "network_registered_at": m.network_registered_at,
        "num_uids": m.num_uids,
        "max_uids": m.max_uids,
        "tao_in": int(raw["tao_in"]),
        "alpha_in": int(raw["alpha_in"]),
        "alpha_out": int(raw["alpha_out"]),
        "subnet_volume": int(raw["subnet_volume"]),
        "moving_price_bits": int(raw["moving_price"]["bits"]),
        "burn": int(raw["burn"]),
        "min_burn": int(raw["min_burn"]),
        "max_burn": int(raw["max_burn"]),
        "kappa": int(raw["kappa"]),
        "immunity_period": int(raw["immunity_period"]),
        "activity_cutoff": int(raw["activity_cutoff"]),
        "max_validators": int(raw["max_validators"]),
        "weights_rate_limit": int(raw["weights_rate_limit"]),
        "commit_reveal_weights_enabled": bool(raw["commit_reveal_weights_enabled"]),
        "commit_reveal_period": int(raw["commit_reveal_period"]),
        "registration_allowed": bool(raw["registration_allowed"]),
        "identity": m.identity and {k: text(v) for k, v in m.identity.items()},
        # Parts of 65535, as the runtime sends them (the typed neurons carry them as fractions).
        "incentives": [int(x) for x in raw["incentives"]],
        "dividends": [int(x) for x in raw["dividends"]],
        "consensus": [int(x) for x in raw["consensus"]],
        "neurons": [neuron(n) for n in m.neurons],
    }


def quote(q, requested):
    return {
        "requested": requested,
        "tao": q.tao.rao,
        "alpha": q.alpha.rao,
        "tao_fee": q.tao_fee.rao,
        "alpha_fee": q.alpha_fee.rao,
        "tao_slippage": q.tao_slippage.rao,
        "alpha_slippage": q.alpha_slippage.rao,
    }


async def read(url, request):
    async with bt.Subtensor(url) as client:
        out = {"block": await client.block(), "token_symbols": client.token_symbols}
        out["timestamp_ms"] = round((await client.timestamp()).timestamp() * 1000)
        out["existential_deposit"] = (await client.balances.existential_deposit()).rao
        out["block_time"] = await client.block_time()
        out["fast_blocks"] = await client.is_fast_blocks()
        out["subnets"] = [
            {"netuid": s.netuid, "tempo": s.tempo, "burn": s.burn.rao, "neuron_count": s.neuron_count}
            for s in await client.subnets.subnets()
        ]
        out["alpha_prices"] = {str(k): v for k, v in (await client.prices.alpha_prices()).items()}
        out["alpha_price_rao"] = {
            str(s["netuid"]): (await client.prices.alpha_price(s["netuid"]))["price_rao"]
            for s in out["subnets"]
        }
        dynamic = await client.runtime(bt.runtime_api.SubnetInfoRuntimeApi.get_all_dynamic_info, [])
        out["pools"] = [
            {
                "netuid": int(d["netuid"]),
                "name": text(d["subnet_name"]),
                "symbol": text(d["token_symbol"]),
                "tao_in": int(d["tao_in"]),
                "alpha_in": int(d["alpha_in"]),
                "alpha_out": int(d["alpha_out"]),
                "subnet_volume": int(d["subnet_volume"]),
                "moving_price_bits": int(d["moving_price"]["bits"]),
                "owner_coldkey": d["owner_coldkey"],
                "owner_hotkey": d["owner_hotkey"],
                "tempo": int(d["tempo"]),
            }
            for d in dynamic
            if d is not None
        ]
        # The same pools from storage maps (SubnetTAO / SubnetAlphaIn), the way dashboards read them.
        tao_in = dict(await client.query_map(bt.storage.SubtensorModule.SubnetTAO))
        alpha_in = dict(await client.query_map(bt.storage.SubtensorModule.SubnetAlphaIn))
        out["pool_storage"] = {str(k): [int(tao_in[k]), int(alpha_in.get(k, 0))] for k in tao_in}
        out["subnet_names"] = {str(k): v for k, v in (await client.subnets.subnet_names()).items()}
        out["subnet_identities"] = {
            str(s["netuid"]): await client.subnets.subnet_identity(s["netuid"]) for s in out["subnets"]
        }
        out["neurons"] = {
            str(s["netuid"]): [
                {
                    "uid": n.uid,
                    "hotkey": n.hotkey,
                    "coldkey": n.coldkey,
                    "validator_permit": n.validator_permit,
                    "last_update": n.last_update,
                    "total_stake": n.total_stake.rao,
                }
                for n in await client.neurons.neurons(s["netuid"])
            ]
            for s in out["subnets"]
        }

        coldkeys = request["coldkeys"]
        out["balances"] = {ck: (await client.balances.balance(ck)).rao for ck in coldkeys}
        out["balances_batch"] = {ck: b.rao for ck, b in (await client.balances.balances(coldkeys)).items()}
        out["stakes"] = {
            ck: [
                {
                    "hotkey": p.hotkey,
                    "coldkey": p.coldkey,
                    "netuid": p.netuid,
                    "stake": p.stake.rao,
                    "is_registered": p.is_registered,
                }
                for p in await client.staking.stake_for_coldkey(ck)
            ]
            for ck in coldkeys
        }
        out["stake"] = [
            (await client.staking.stake(ck, hk, netuid)).rao for ck, hk, netuid in request["stakes"]
        ]
        out["quotes"] = []
        for netuid, side, amount in request["quotes"]:
            if side == "stake":
                requested = bt.Balance.from_tao(amount).rao
                q = await client.prices.quote_stake(netuid, amount)
            else:
                requested = bt.Balance.from_amount(amount, netuid).rao
                q = await client.prices.quote_unstake(netuid, amount)
            out["quotes"].append(quote(q, requested))
        out["metagraphs"] = {}
        for netuid in request["metagraphs"]:
            # localnet has no Commitments pallet: the metagraph alone.
            m = await client.subnets.metagraph(netuid)
            out["metagraphs"][str(netuid)] = None if m is None else metagraph(m)
        return out


def main():
    url, request = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(asyncio.run(read(url, request))))


if __name__ == "__main__":
    main()
