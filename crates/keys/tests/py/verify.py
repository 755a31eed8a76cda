"""Verify an sr25519 signature with bittensor-wallet.

usage: verify.py SS58 MESSAGE_HEX SIGNATURE_HEX
prints "true" or "false".
"""
import sys

import bittensor_wallet as bw

ss58, message_hex, signature_hex = sys.argv[1:4]
k = bw.Keypair(ss58_address=ss58)
ok = k.verify(bytes.fromhex(message_hex), bytes.fromhex(signature_hex.removeprefix("0x")))
print("true" if ok else "false")
