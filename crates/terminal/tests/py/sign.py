"""Sign a prepared payload with bittensor-wallet: an independent sr25519 implementation.

usage: sign.py URI PAYLOAD_HEX
prints the 0x-hex signature.
"""
import sys

import bittensor_wallet as bw

uri, payload_hex = sys.argv[1:3]
key = bw.Keypair.create_from_uri(uri)
print("0x" + key.sign(bytes.fromhex(payload_hex.removeprefix("0x"))).hex())
