//! English and Chinese for the worker platform: every UI string lives in one of two catalogues
//! ([`EN`], [`ZH`]) with the same fields, so a missing translation is a compile error. The
//! language comes from `?lang=` (remembered in the `lang` cookie), then that cookie, then
//! `Accept-Language`; the theme from the `theme` cookie the page script sets. Server messages
//! (errors) are [`crate::PlatformError`]'s text in English, shared with the JSON APIs, and its
//! `message` in Chinese on the pages; the rating page's notice that a task is closed
//! (submitted, expired, full) is in the catalogues.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `"en"` or `"zh"`.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Parses `en`/`zh` (and `zh-CN`, `en-GB` etc.).
    pub(crate) fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The strings of this language.
    pub(crate) fn t(self) -> &'static Catalogue {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// The value of cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let Some(lang) = it.next().and_then(Lang::parse) else { continue };
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// How a page is shown: its language and theme, read from the request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ui {
    /// The language.
    pub(crate) lang: Lang,
    /// Light theme (dark is the default, as in the terminal).
    pub(crate) light: bool,
    /// `?lang=` chose the language: the response remembers it in a cookie.
    pub(crate) remember_lang: bool,
}

impl Ui {
    /// The strings.
    pub(crate) fn t(self) -> &'static Catalogue {
        self.lang.t()
    }

    fn of(parts: &Parts) -> Ui {
        let query = parts.uri.query().unwrap_or("");
        let query_lang = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        let lang = query_lang
            .or_else(|| cookie(&parts.headers, "lang").and_then(|v| Lang::parse(&v)))
            .or_else(|| accept_language(&parts.headers))
            .unwrap_or_default();
        Ui {
            lang,
            light: cookie(&parts.headers, "theme").as_deref() == Some("light"),
            remember_lang: query_lang.is_some(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ui::of(parts))
    }
}

/// Every UI string of the platform.
#[derive(Debug)]
pub(crate) struct Catalogue {
    pub(crate) brand: &'static str,
    pub(crate) brand_sub: &'static str,
    pub(crate) nav_tasks: &'static str,
    pub(crate) nav_me: &'static str,
    pub(crate) nav_team: &'static str,
    pub(crate) theme_toggle: &'static str,
    pub(crate) log_out: &'static str,
    pub(crate) log_in: &'static str,
    pub(crate) sign_up: &'static str,
    pub(crate) username: &'static str,
    pub(crate) password: &'static str,
    pub(crate) password_hint: &'static str,
    pub(crate) invite_key: &'static str,
    pub(crate) new_here: &'static str,
    pub(crate) sign_up_link: &'static str,
    pub(crate) back: &'static str,
    pub(crate) error_title: &'static str,
    pub(crate) signed_in_as: &'static str,
    pub(crate) inbox_title: &'static str,
    pub(crate) inbox_empty: &'static str,
    pub(crate) col_task: &'static str,
    pub(crate) col_modality: &'static str,
    pub(crate) col_deadline: &'static str,
    pub(crate) col_results: &'static str,
    pub(crate) col_state: &'static str,
    pub(crate) team_open: &'static str,
    pub(crate) team_needed: &'static str,
    pub(crate) my_done: &'static str,
    pub(crate) my_accuracy: &'static str,
    pub(crate) state_open: &'static str,
    pub(crate) state_submitted: &'static str,
    pub(crate) state_expired: &'static str,
    pub(crate) state_full: &'static str,
    pub(crate) state_scored: &'static str,
    /// The rating page's notice when the worker already submitted.
    pub(crate) closed_submitted: &'static str,
    /// … when the task's deadline passed.
    pub(crate) closed_expired: &'static str,
    /// … when the task has all its results.
    pub(crate) closed_full: &'static str,
    pub(crate) modality_html: &'static str,
    pub(crate) modality_text: &'static str,
    pub(crate) modality_image: &'static str,
    pub(crate) modality_3d: &'static str,
    pub(crate) left: &'static str,
    pub(crate) ended: &'static str,
    pub(crate) rate_title: &'static str,
    pub(crate) prompt: &'static str,
    pub(crate) output: &'static str,
    pub(crate) expand: &'static str,
    pub(crate) close: &'static str,
    pub(crate) desktop: &'static str,
    pub(crate) phone: &'static str,
    pub(crate) zoom_in: &'static str,
    pub(crate) zoom_out: &'static str,
    pub(crate) score: &'static str,
    pub(crate) explanation: &'static str,
    pub(crate) explanation_hint: &'static str,
    pub(crate) hints: [&'static str; 4],
    pub(crate) chars: &'static str,
    pub(crate) review: &'static str,
    pub(crate) review_title: &'static str,
    pub(crate) review_intro: &'static str,
    pub(crate) edit: &'static str,
    pub(crate) submit: &'static str,
    pub(crate) shortcuts: &'static str,
    pub(crate) shortcut_list: [(&'static str, &'static str); 8],
    pub(crate) submitted_title: &'static str,
    pub(crate) submitted: &'static str,
    pub(crate) next_task: &'static str,
    pub(crate) feedback_title: &'static str,
    pub(crate) feedback_intro: &'static str,
    pub(crate) col_your_score: &'static str,
    pub(crate) col_your_rank: &'static str,
    pub(crate) col_true_rank: &'static str,
    pub(crate) col_flaws: &'static str,
    pub(crate) viable: &'static str,
    pub(crate) flawed: &'static str,
    pub(crate) flawed_unknown: &'static str,
    pub(crate) pairs_right: &'static str,
    pub(crate) your_explanation: &'static str,
    pub(crate) feedback_wait: &'static str,
    pub(crate) me_title: &'static str,
    pub(crate) tasks_done: &'static str,
    pub(crate) scored_tasks: &'static str,
    pub(crate) accuracy: &'static str,
    pub(crate) accuracy_over_time: &'static str,
    pub(crate) accuracy_note: &'static str,
    pub(crate) recent: &'static str,
    pub(crate) no_scored: &'static str,
    pub(crate) team_title: &'static str,
    pub(crate) members: &'static str,
    pub(crate) col_worker: &'static str,
    pub(crate) col_submissions: &'static str,
    pub(crate) col_inversions: &'static str,
    pub(crate) col_pairs: &'static str,
    pub(crate) col_ties: &'static str,
    pub(crate) col_rate: &'static str,
    pub(crate) invites: &'static str,
    pub(crate) issue_invite: &'static str,
    pub(crate) used: &'static str,
    pub(crate) unused: &'static str,
    pub(crate) api_keys: &'static str,
    pub(crate) api_keys_note: &'static str,
    pub(crate) issue_api_key: &'static str,
    pub(crate) new_api_key: &'static str,
    pub(crate) exports: &'static str,
    pub(crate) export_workers: &'static str,
    pub(crate) export_results: &'static str,
}

/// English.
pub(crate) static EN: Catalogue = Catalogue {
    brand: "Dojo",
    brand_sub: "worker platform",
    nav_tasks: "Tasks",
    nav_me: "My progress",
    nav_team: "Team",
    theme_toggle: "Switch between dark and light theme",
    log_out: "Log out",
    log_in: "Log in",
    sign_up: "Sign up",
    username: "Username",
    password: "Password",
    password_hint: "at least 10 characters",
    invite_key: "Invite key",
    new_here: "New here?",
    sign_up_link: "Sign up with an invite key",
    back: "Back",
    error_title: "Something went wrong",
    signed_in_as: "Signed in as",
    inbox_title: "Your tasks",
    inbox_empty: "No tasks yet. New tasks appear here as your miner receives them.",
    col_task: "Task",
    col_modality: "Kind",
    col_deadline: "Deadline",
    col_results: "Results",
    col_state: "State",
    team_open: "Team's open tasks",
    team_needed: "Results the team still needs",
    my_done: "Tasks you did",
    my_accuracy: "Your accuracy",
    state_open: "open",
    state_submitted: "submitted",
    state_expired: "expired",
    state_full: "full",
    state_scored: "scored",
    closed_submitted: "You have already submitted a result for this task.",
    closed_expired: "This task has expired; results are no longer accepted.",
    closed_full: "This task already has all the results it needs.",
    modality_html: "App",
    modality_text: "Text",
    modality_image: "Image",
    modality_3d: "3D",
    left: "left",
    ended: "ended",
    rate_title: "Rate the outputs",
    prompt: "Prompt",
    output: "Output",
    expand: "Full screen",
    close: "Close",
    desktop: "Desktop",
    phone: "Phone",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    score: "Score",
    explanation: "Explanation",
    explanation_hint: "What makes the best output best and the worst output worst? Plain words, at most 300 characters.",
    hints: [
        "Name the outputs by letter (A–D).",
        "Say what the prompt asked for and which output misses it.",
        "Mention what you saw or did: a broken button, a wrong colour, a missing part.",
        "Avoid code, links and markup: they are rejected.",
    ],
    chars: "characters",
    review: "Review",
    review_title: "Review before you submit",
    review_intro: "Your ranking, best first. Submitted results cannot be changed.",
    edit: "Back to editing",
    submit: "Submit",
    shortcuts: "Keyboard shortcuts",
    shortcut_list: [
        ("1–4", "focus the score of output A–D"),
        ("← →", "change the focused score by 1 (Shift: by 10)"),
        ("F", "full screen for the focused output; Esc closes"),
        ("P", "phone / desktop width for an app"),
        ("+ −", "zoom an image"),
        ("E", "write the explanation"),
        ("R", "review your answer"),
        ("Ctrl+Enter", "submit from the review"),
    ],
    submitted_title: "Thank you",
    submitted: "Your result was submitted.",
    next_task: "Back to your tasks",
    feedback_title: "How you did",
    feedback_intro: "Your scores against the ground truth. Deliberately flawed outputs are marked, with what was done to them.",
    col_your_score: "Your score",
    col_your_rank: "Your rank",
    col_true_rank: "True rank",
    col_flaws: "What was wrong",
    viable: "viable",
    flawed: "flawed",
    flawed_unknown: "flawed (no description: the task came from a validator)",
    pairs_right: "viable-over-flawed pairs you ordered right",
    your_explanation: "Your explanation",
    feedback_wait: "Feedback appears once the task is closed and its ground truth is known.",
    me_title: "Your progress",
    tasks_done: "Tasks done",
    scored_tasks: "Scored tasks",
    accuracy: "Accuracy",
    accuracy_over_time: "Accuracy per scored task, oldest first",
    accuracy_note: "Accuracy: the share of (viable, flawed) output pairs you scored the right way round.",
    recent: "Recent tasks",
    no_scored: "No scored task yet: feedback comes after a task closes.",
    team_title: "Your team",
    members: "Members",
    col_worker: "Worker",
    col_submissions: "Submissions",
    col_inversions: "Flawed rated above viable",
    col_pairs: "Pairs",
    col_ties: "Ties",
    col_rate: "Rate",
    invites: "Invite keys",
    issue_invite: "Issue an invite key",
    used: "used",
    unused: "unused",
    api_keys: "API keys",
    api_keys_note: "issued. The miner sends one in the x-api-key header of the miner API.",
    issue_api_key: "Issue an API key",
    new_api_key: "Your new API key (shown only this once; copy it now):",
    exports: "Exports",
    export_workers: "Per-worker quality (CSV)",
    export_results: "Every result (CSV)",
};

/// Simplified Chinese.
pub(crate) static ZH: Catalogue = Catalogue {
    brand: "Dojo",
    brand_sub: "标注平台",
    nav_tasks: "任务",
    nav_me: "我的进度",
    nav_team: "团队",
    theme_toggle: "切换深色/浅色主题",
    log_out: "退出",
    log_in: "登录",
    sign_up: "注册",
    username: "用户名",
    password: "密码",
    password_hint: "至少 10 个字符",
    invite_key: "邀请码",
    new_here: "第一次来？",
    sign_up_link: "用邀请码注册",
    back: "返回",
    error_title: "出了点问题",
    signed_in_as: "当前用户",
    inbox_title: "你的任务",
    inbox_empty: "暂无任务。矿工收到新任务后会出现在这里。",
    col_task: "任务",
    col_modality: "类型",
    col_deadline: "截止",
    col_results: "结果数",
    col_state: "状态",
    team_open: "团队未完成任务",
    team_needed: "团队仍需结果数",
    my_done: "你完成的任务",
    my_accuracy: "你的准确率",
    state_open: "进行中",
    state_submitted: "已提交",
    state_expired: "已过期",
    state_full: "已满",
    state_scored: "已评分",
    closed_submitted: "你已提交过此任务的结果。",
    closed_expired: "此任务已过期，不再接受结果。",
    closed_full: "此任务已收满所需结果。",
    modality_html: "应用",
    modality_text: "文本",
    modality_image: "图像",
    modality_3d: "3D",
    left: "剩余",
    ended: "已结束",
    rate_title: "为输出打分",
    prompt: "提示词",
    output: "输出",
    expand: "全屏",
    close: "关闭",
    desktop: "桌面",
    phone: "手机",
    zoom_in: "放大",
    zoom_out: "缩小",
    score: "分数",
    explanation: "说明",
    explanation_hint: "最好的输出好在哪里，最差的输出差在哪里？请用平实的语言，最多 300 个字符。",
    hints: [
        "用字母（A–D）指代输出。",
        "说明提示词要求了什么，哪个输出没有做到。",
        "写下你看到或操作到的：失灵的按钮、错误的颜色、缺失的部分。",
        "不要写代码、链接或标记：这些会被拒绝。",
    ],
    chars: "字符",
    review: "检查",
    review_title: "提交前检查",
    review_intro: "你的排序，最好的在前。提交后不能修改。",
    edit: "返回修改",
    submit: "提交",
    shortcuts: "键盘快捷键",
    shortcut_list: [
        ("1–4", "聚焦输出 A–D 的分数"),
        ("← →", "分数加减 1（按住 Shift 加减 10）"),
        ("F", "当前输出全屏；Esc 关闭"),
        ("P", "应用切换手机/桌面宽度"),
        ("+ −", "缩放图像"),
        ("E", "填写说明"),
        ("R", "检查答案"),
        ("Ctrl+Enter", "在检查页提交"),
    ],
    submitted_title: "谢谢",
    submitted: "你的结果已提交。",
    next_task: "返回任务列表",
    feedback_title: "你的表现",
    feedback_intro: "你的分数与真实排序的对比。被故意加入缺陷的输出已标出，并说明了缺陷。",
    col_your_score: "你的分数",
    col_your_rank: "你的排名",
    col_true_rank: "真实排名",
    col_flaws: "问题所在",
    viable: "合格",
    flawed: "有缺陷",
    flawed_unknown: "有缺陷（任务来自验证者，无说明）",
    pairs_right: "你排对的“合格高于缺陷”输出对",
    your_explanation: "你的说明",
    feedback_wait: "任务关闭且真实排序公布后，这里会显示反馈。",
    me_title: "你的进度",
    tasks_done: "完成任务",
    scored_tasks: "已评分任务",
    accuracy: "准确率",
    accuracy_over_time: "每个已评分任务的准确率（从早到晚）",
    accuracy_note: "准确率：你把（合格，有缺陷）输出对排对的比例。",
    recent: "最近的任务",
    no_scored: "还没有已评分的任务：任务关闭后才会有反馈。",
    team_title: "你的团队",
    members: "成员",
    col_worker: "成员",
    col_submissions: "提交数",
    col_inversions: "缺陷高于合格",
    col_pairs: "对数",
    col_ties: "同分",
    col_rate: "比例",
    invites: "邀请码",
    issue_invite: "生成邀请码",
    used: "已使用",
    unused: "未使用",
    api_keys: "API 密钥",
    api_keys_note: "个已发放。矿工在矿工 API 的 x-api-key 请求头中发送。",
    issue_api_key: "生成 API 密钥",
    new_api_key: "新的 API 密钥（只显示这一次，请立即复制）：",
    exports: "导出",
    export_workers: "每位成员的质量（CSV）",
    export_results: "全部结果（CSV）",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_negotiate() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_GB"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "fr;q=1, zh-CN;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(accept_language(&h), Some(Lang::Zh));
    }
}
