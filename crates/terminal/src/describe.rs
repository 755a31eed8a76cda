//! A call in plain words in the page's language, for the confirm card and the explorer. English
//! is the chain's own wording ([`Call::describe`]); Chinese is written here, field for field, so
//! a Chinese reader sees what they sign in Chinese. Amounts, prices and accounts are formatted
//! as the chain formats them (exact amounts, `τ/α` prices, the first four SS58 characters).

use chain::{AccountId, Call, Tao};

use crate::i18n::Lang;

/// `call` in plain words in `lang`.
pub(crate) fn describe(call: &Call, lang: Lang) -> String {
    match lang {
        Lang::En => call.describe(),
        Lang::Zh => zh(call),
    }
}

/// What each leg of `call` does, in `lang`, for calls with legs: a batch's calls; a swap
/// between subnets, which sells on one and buys on the other. Empty for other calls.
pub(crate) fn legs(call: &Call, lang: Lang) -> Vec<String> {
    match call {
        Call::BatchAll { calls } => calls.iter().map(|leg| describe(leg, lang)).collect(),
        Call::SwapStake { origin_netuid, destination_netuid, .. }
        | Call::SwapStakeLimit { origin_netuid, destination_netuid, .. } => match lang {
            Lang::En => vec![
                format!("sell on subnet {origin_netuid}"),
                format!("buy on subnet {destination_netuid}"),
            ],
            Lang::Zh => {
                vec![
                    format!("在子网 {origin_netuid} 卖出"),
                    format!("在子网 {destination_netuid} 买入"),
                ]
            }
        },
        _ => Vec::new(),
    }
}

fn short(account: &AccountId) -> String {
    let head: String = account.to_ss58().chars().take(4).collect();
    format!("{head}…")
}

fn price(rao_per_alpha: u64) -> String {
    format!("{} τ/α", Tao::from_rao(rao_per_alpha).to_decimal_string())
}

fn fill(allow_partial: bool) -> &'static str {
    if allow_partial { "允许部分成交" } else { "全部成交否则取消" }
}

fn zh(call: &Call) -> String {
    match call {
        Call::Transfer { dest, amount } => format!("向 {} 转账 {amount}", short(dest)),
        Call::AddStake { hotkey, netuid, amount_staked } => {
            format!("在子网 {netuid} 质押 {amount_staked} 给 {}，不限价格", short(hotkey))
        }
        Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
            format!(
                "在子网 {netuid} 质押 {amount_staked} 给 {}，价格不高于 {}，{}",
                short(hotkey),
                price(*limit_price),
                fill(*allow_partial)
            )
        }
        Call::RemoveStake { hotkey, netuid, amount_unstaked } => {
            format!("在子网 {netuid} 从 {} 解除质押 {amount_unstaked}，不限价格", short(hotkey))
        }
        Call::RemoveStakeLimit { hotkey, netuid, amount_unstaked, limit_price, allow_partial } => {
            format!(
                "在子网 {netuid} 从 {} 解除质押 {amount_unstaked}，价格不低于 {}，{}",
                short(hotkey),
                price(*limit_price),
                fill(*allow_partial)
            )
        }
        Call::RemoveStakeFullLimit { hotkey, netuid, limit_price } => match limit_price {
            Some(limit) => format!(
                "在子网 {netuid} 从 {} 解除全部质押，价格不低于 {}",
                short(hotkey),
                price(*limit)
            ),
            None => format!("在子网 {netuid} 从 {} 解除全部质押，不限价格", short(hotkey)),
        },
        Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => format!(
            "将质押给 {} 的 {alpha_amount} 从子网 {origin_netuid} 换到子网 {destination_netuid}",
            short(hotkey)
        ),
        Call::SwapStakeLimit {
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
            limit_price,
            allow_partial,
        } => format!(
            "将质押给 {} 的 {alpha_amount} 从子网 {origin_netuid} 换到子网 {destination_netuid}，价格比不低于 {}，{}",
            short(hotkey),
            Tao::from_rao(*limit_price).to_decimal_string(),
            fill(*allow_partial)
        ),
        Call::MoveStake {
            origin_hotkey,
            destination_hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => format!(
            "将 {alpha_amount} 从子网 {origin_netuid} 的 {} 移到子网 {destination_netuid} 的 {}",
            short(origin_hotkey),
            short(destination_hotkey)
        ),
        Call::TransferStake {
            destination_coldkey,
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => format!(
            "将子网 {origin_netuid} 上质押给 {} 的 {alpha_amount} 转给冷钱包 {}（子网 {destination_netuid}）",
            short(hotkey),
            short(destination_coldkey)
        ),
        Call::UnstakeAll { hotkey } => {
            format!("解除在所有子网上质押给 {} 的全部质押", short(hotkey))
        }
        Call::RegisterNetwork { hotkey, identity } => match identity {
            Some(id) => {
                format!("注册子网 {:?}，所有者热键 {}，支付锁定成本", id.name, short(hotkey))
            }
            None => format!("注册一个子网，所有者热键 {}，支付锁定成本", short(hotkey)),
        },
        Call::StartCall { netuid } => format!("开启子网 {netuid} 的排放"),
        Call::SetSubnetIdentity { netuid, identity } => {
            format!("将子网 {netuid} 命名为 {:?}", identity.name)
        }
        // The parameter keeps the chain's name: it is what the docs and the chain call it.
        Call::SetHyperparameter { netuid, param } => {
            let words = param.to_string();
            let value = words.strip_prefix(&format!("{} to ", param.name())).unwrap_or(&words);
            format!("将子网 {netuid} 的 {} 设为 {value}", param.name())
        }
        Call::BurnedRegister { netuid, hotkey } => {
            format!("在子网 {netuid} 注册热键 {}，燃烧注册费用", short(hotkey))
        }
        Call::ServeAxon { netuid, axon } => {
            format!("在子网 {netuid} 上提供 axon {}:{}", axon.ip, axon.port)
        }
        Call::SetWeights { netuid, dests, .. } => {
            format!("为子网 {netuid} 的 {} 个 UID 设置权重", dests.len())
        }
        Call::CommitWeights { netuid, .. } => format!("提交子网 {netuid} 的权重承诺"),
        Call::RevealWeights { netuid, uids, .. } => {
            format!("公开子网 {netuid} 上 {} 个 UID 的权重", uids.len())
        }
        Call::AddProxy { delegate, proxy_type } => {
            format!("将 {} 设为本账户的 {} 代理", short(delegate), proxy_type.name())
        }
        Call::RemoveProxy { delegate, proxy_type } => {
            format!("撤销 {} 作为本账户的 {} 代理", short(delegate), proxy_type.name())
        }
        Call::Proxy { real, call } => format!("代理 {}：{}", short(real), zh(call)),
        Call::BatchAll { calls } => {
            let legs: Vec<String> =
                calls.iter().enumerate().map(|(i, c)| format!("({}) {}", i + 1, zh(c))).collect();
            format!("全部成功或全部不执行，共 {} 笔：{}", calls.len(), legs.join("；"))
        }
        Call::SubmitEncrypted { ciphertext } => {
            format!("一笔 MEV 防护的加密交易（{} 字节），由出块者解密", ciphertext.len())
        }
        // A call added to the chain crate and not yet worded here: the chain's English.
        other => other.describe(),
    }
}

#[cfg(test)]
mod tests {
    use chain::SubnetIdentity;

    use super::*;

    /// Every call, and the identity-carrying registration and naming calls besides.
    fn every_call() -> Vec<Call> {
        let identity = SubnetIdentity { name: "Apex".into(), ..Default::default() };
        let mut calls = test_support::calls::every_call();
        calls.push(Call::RegisterNetwork {
            hotkey: AccountId([2; 32]),
            identity: Some(identity.clone()),
        });
        calls.push(Call::SetSubnetIdentity { netuid: 4, identity });
        calls
    }

    #[test]
    fn every_call_has_its_chinese_words_and_keeps_the_english_figures() {
        for call in every_call() {
            let (en, zh) = (describe(&call, Lang::En), describe(&call, Lang::Zh));
            assert_eq!(en, call.describe());
            // Worded here, not the English fallback: CJK text, none of the English sentence.
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
            assert_ne!(zh, en);
            // Every figure and account of the English reading is in the Chinese one too.
            for token in en.split([' ', ',', ';', '(', ')', ':']) {
                let figure = token.chars().any(|c| c.is_ascii_digit()) || token.ends_with('…');
                if figure && !token.is_empty() {
                    assert!(zh.contains(token), "{token:?} of {en:?} missing from {zh:?}");
                }
            }
        }
        let calls = every_call();
        let swap = calls.iter().find(|c| c.name() == "swap_stake").unwrap();
        assert_eq!(legs(swap, Lang::En), ["sell on subnet 1", "buy on subnet 2"]);
        assert_eq!(legs(swap, Lang::Zh), ["在子网 1 卖出", "在子网 2 买入"]);
        let batch = calls.iter().find(|c| c.name() == "batch_all").unwrap();
        assert_eq!(legs(batch, Lang::Zh).len(), 2);
        assert!(legs(&calls[0], Lang::Zh).is_empty());
        let limit = Call::AddStakeLimit {
            hotkey: AccountId([2; 32]),
            netuid: 3,
            amount_staked: Tao::from_rao(7_000_000_000),
            limit_price: 5_700_000,
            allow_partial: false,
        };
        assert_eq!(
            describe(&limit, Lang::Zh),
            "在子网 3 质押 7 τ 给 5C7L…，价格不高于 0.0057 τ/α，全部成交否则取消"
        );
    }
}
