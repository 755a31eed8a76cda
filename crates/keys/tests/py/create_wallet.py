"""Create a wallet with bittensor-wallet: an encrypted coldkey and a plain hotkey.

usage: create_wallet.py PATH NAME HOTKEY   (password in env PY_WALLET_PASSWORD)
prints one JSON line: coldkey/hotkey ss58 addresses and public keys (0x hex).
"""
import json
import os
import sys

import bittensor_wallet as bw

path, name, hotkey = sys.argv[1:4]
password = os.environ["PY_WALLET_PASSWORD"]
w = bw.Wallet(name=name, hotkey=hotkey, path=path)
w.create_new_coldkey(n_words=12, use_password=True, overwrite=False, suppress=True,
                     coldkey_password=password)
w.create_new_hotkey(n_words=12, use_password=False, overwrite=False, suppress=True)
cold = w.get_coldkey(password=password)
hot = w.get_hotkey()
print(json.dumps({
    "coldkey_ss58": cold.ss58_address,
    "coldkey_public": "0x" + cold.public_key.hex(),
    "hotkey_ss58": hot.ss58_address,
    "hotkey_public": "0x" + hot.public_key.hex(),
}))
