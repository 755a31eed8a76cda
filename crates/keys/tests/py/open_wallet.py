"""Open a wallet with bittensor-wallet and sign a message with its coldkey.

usage: open_wallet.py PATH NAME HOTKEY MESSAGE_HEX   (password in env PY_WALLET_PASSWORD)
prints one JSON line: addresses and public keys as read from the private files (coldkey
decrypted with the password) and from the public files, and the coldkey's signature (0x hex).
"""
import json
import os
import sys

import bittensor_wallet as bw

path, name, hotkey, message_hex = sys.argv[1:5]
password = os.environ["PY_WALLET_PASSWORD"]
w = bw.Wallet(name=name, hotkey=hotkey, path=path)
cold = w.get_coldkey(password=password)
hot = w.get_hotkey()
print(json.dumps({
    "coldkey_ss58": cold.ss58_address,
    "coldkey_public": "0x" + cold.public_key.hex(),
    "coldkeypub_ss58": w.get_coldkeypub().ss58_address,
    "hotkey_ss58": hot.ss58_address,
    "hotkey_public": "0x" + hot.public_key.hex(),
    "hotkeypub_ss58": w.get_hotkeypub().ss58_address,
    "signature": "0x" + cold.sign(bytes.fromhex(message_hex)).hex(),
}))
