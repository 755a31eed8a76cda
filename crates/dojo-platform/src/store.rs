//! The platform's state behind a small async trait, and its in-memory implementation
//! ([`MemoryStore`]); the database one is [`super::SqlStore`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use super::error::PlatformError;
use dojo_core::task::{GroundTruth, OutputId, Task};

/// Account identifier.
pub type AccountId = u64;

/// What an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A miner: the organisation that issues invite keys and sees its team's stats.
    Miner,
    /// A worker in the team of `miner`.
    Worker {
        /// The miner whose team the worker joined.
        miner: AccountId,
    },
}

/// A platform account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Identifier.
    pub id: AccountId,
    /// Unique login name (unique ignoring ASCII case).
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Miner or worker.
    pub role: Role,
}

/// A session (anonymous until login), browser cookie or API bearer token alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 (hex) of the token the client holds; the token itself is never stored.
    pub id: String,
    /// The CSRF token every form POST of this session must carry.
    pub csrf: String,
    /// The logged-in account, if any.
    pub account: Option<AccountId>,
    /// Last use, ns since the Unix epoch (refreshed coarsely; drives the idle timeout).
    pub last_seen_ns: u64,
}

/// An invite key issued by a miner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The key (random, hex). Kept in clear: the miner's team page lists unused keys.
    pub key: String,
    /// The issuing miner.
    pub miner: AccountId,
    /// The worker who used it, once used.
    pub used_by: Option<AccountId>,
    /// When it was issued, ns since the Unix epoch.
    pub issued_at_ns: u64,
}

/// A miner's API key, as stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// SHA-256 (hex) of the key.
    pub key_hash: String,
    /// The miner it authenticates.
    pub miner: AccountId,
    /// When it was issued, ns since the Unix epoch.
    pub created_at_ns: u64,
}

/// A task on the platform: the validator's task for one miner, with its deadline and cap.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformTask {
    /// The task; `task.id` is the platform's id. Its ground truth, if known, stays on the
    /// server and is never rendered.
    pub task: Task,
    /// The miner whose team rates it.
    pub miner: AccountId,
    /// Expiry, nanoseconds since the Unix epoch; no submission at or after it.
    pub expires_at_ns: u64,
    /// Maximum number of results.
    pub max_results: u32,
}

/// One worker's result for one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Task id.
    pub task_id: String,
    /// The worker.
    pub worker: AccountId,
    /// Score per output id.
    pub scores: BTreeMap<OutputId, u32>,
    /// Sanitised explanation of the best and worst output.
    pub explanation: String,
    /// Time of submission, ns since the Unix epoch.
    pub submitted_at_ns: u64,
    /// When the worker first opened the task ([`PlatformStore::record_view`]); filled in by
    /// the store when it accepts the submission (what the caller passes is ignored).
    pub shown_at_ns: Option<u64>,
}

/// Storage of the worker platform. Operations that must be atomic (redeeming an invite,
/// accepting a submission) are single calls so a database implementation makes each one a
/// transaction.
#[async_trait]
pub trait PlatformStore: Send + Sync + 'static {
    /// Creates a miner account; fails if the username is taken (ignoring ASCII case).
    async fn create_miner(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError>;
    /// Atomically consumes an unused invite key and creates a worker in its miner's team.
    async fn redeem_invite(
        &self,
        key: &str,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError>;
    /// Records a new invite key of `miner`.
    async fn add_invite(&self, invite: Invite) -> Result<(), PlatformError>;
    /// Invites issued by `miner`, oldest first.
    async fn invites(&self, miner: AccountId) -> Result<Vec<Invite>, PlatformError>;
    /// Account by id.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, PlatformError>;
    /// Account by username (ignoring ASCII case).
    async fn account_by_username(&self, username: &str) -> Result<Option<Account>, PlatformError>;
    /// Workers of `miner`, by id.
    async fn members(&self, miner: AccountId) -> Result<Vec<Account>, PlatformError>;
    /// Stores (or replaces) a session.
    async fn put_session(&self, session: Session) -> Result<(), PlatformError>;
    /// Session by id (the token's hash).
    async fn session(&self, id: &str) -> Result<Option<Session>, PlatformError>;
    /// Session by id with its logged-in account, if any (one read on a database).
    async fn session_account(
        &self,
        id: &str,
    ) -> Result<Option<(Session, Option<Account>)>, PlatformError> {
        let Some(s) = self.session(id).await? else { return Ok(None) };
        let a = match s.account {
            Some(a) => self.account(a).await?,
            None => None,
        };
        Ok(Some((s, a)))
    }
    /// Marks a session used at `now_ns`.
    async fn touch_session(&self, id: &str, now_ns: u64) -> Result<(), PlatformError>;
    /// Deletes a session.
    async fn delete_session(&self, id: &str) -> Result<(), PlatformError>;
    /// Deletes every session last used before `before_ns`; returns how many.
    async fn purge_sessions(&self, before_ns: u64) -> Result<u64, PlatformError>;
    /// Records a miner's API key (its hash).
    async fn add_api_key(&self, key: ApiKey) -> Result<(), PlatformError>;
    /// API key by hash.
    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, PlatformError>;
    /// API keys of `miner`, oldest first.
    async fn api_keys(&self, miner: AccountId) -> Result<Vec<ApiKey>, PlatformError>;
    /// Adds a task; `source_id` is the validator's task id when it came through the miner API.
    /// Fails with [`PlatformError::TaskExists`] if the platform id exists or the miner already
    /// has a task with that `source_id`.
    async fn add_task(
        &self,
        task: PlatformTask,
        source_id: Option<String>,
    ) -> Result<(), PlatformError>;
    /// Task by platform id (with its ground truth once revealed).
    async fn task(&self, id: &str) -> Result<Option<PlatformTask>, PlatformError>;
    /// The validator's id of a task added through the miner API.
    async fn task_source(&self, id: &str) -> Result<Option<String>, PlatformError>;
    /// Tasks of `miner`, by id.
    async fn tasks(&self, miner: AccountId) -> Result<Vec<PlatformTask>, PlatformError>;
    /// Sets (or replaces) the ground truth of a task.
    async fn reveal_ground_truth(
        &self,
        task_id: &str,
        ground_truth: GroundTruth,
    ) -> Result<(), PlatformError>;
    /// Records that `worker` opened the task at `now_ns`, unless it had before.
    async fn record_view(
        &self,
        task_id: &str,
        worker: AccountId,
        now_ns: u64,
    ) -> Result<(), PlatformError>;
    /// Atomically accepts a submission: refused if the worker already submitted (409), the
    /// task expired at `now_ns` (410), or it has its maximum results (409), in that order.
    async fn submit(&self, submission: Submission, now_ns: u64) -> Result<(), PlatformError>;
    /// Submissions for a task, in order of submission.
    async fn submissions(&self, task_id: &str) -> Result<Vec<Submission>, PlatformError>;
    /// Submissions for every task of `miner`, by task then order of submission.
    async fn team_submissions(&self, miner: AccountId) -> Result<Vec<Submission>, PlatformError>;
}

/// Checks whether `worker` may still submit to `task`: `already` says whether it did, `count`
/// how many results the task has.
pub(crate) fn check_open(
    task: &PlatformTask,
    already: bool,
    count: usize,
    now_ns: u64,
) -> Result<(), PlatformError> {
    if already {
        return Err(PlatformError::AlreadySubmitted);
    }
    if now_ns >= task.expires_at_ns {
        return Err(PlatformError::Expired);
    }
    let n = u32::try_from(count).unwrap_or(u32::MAX);
    if n >= task.max_results {
        return Err(PlatformError::Full { max_results: task.max_results });
    }
    Ok(())
}

/// Orders submissions the way every store returns them.
pub(crate) fn sort_submissions(subs: &mut [Submission]) {
    subs.sort_by(|a, b| {
        (&a.task_id, a.submitted_at_ns, a.worker).cmp(&(&b.task_id, b.submitted_at_ns, b.worker))
    });
}

struct StoredTask {
    task: PlatformTask,
    source_id: Option<String>,
}

#[derive(Default)]
struct Inner {
    accounts: BTreeMap<AccountId, Account>,
    next_id: AccountId,
    invites: BTreeMap<String, Invite>,
    sessions: HashMap<String, Session>,
    api_keys: HashMap<String, ApiKey>,
    tasks: BTreeMap<String, StoredTask>,
    views: HashMap<(String, AccountId), u64>,
    submissions: BTreeMap<String, Vec<Submission>>,
}

impl Inner {
    fn insert_account(&mut self, username: &str, password_hash: String, role: Role) -> Account {
        self.next_id += 1;
        let account =
            Account { id: self.next_id, username: username.to_string(), password_hash, role };
        self.accounts.insert(account.id, account.clone());
        account
    }

    fn taken(&self, username: &str) -> bool {
        self.accounts.values().any(|a| a.username.eq_ignore_ascii_case(username))
    }
}

/// The in-memory store: state is lost on restart (tests, demos, the load benchmark's baseline).
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }
}

#[async_trait]
impl PlatformStore for MemoryStore {
    async fn create_miner(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError> {
        self.with(|i| {
            if i.taken(username) {
                return Err(PlatformError::UsernameTaken);
            }
            Ok(i.insert_account(username, password_hash, Role::Miner))
        })
    }

    async fn redeem_invite(
        &self,
        key: &str,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError> {
        self.with(|i| {
            let miner = match i.invites.get(key) {
                Some(inv) if inv.used_by.is_none() => inv.miner,
                Some(_) => return Err(PlatformError::InviteUsed),
                None => return Err(PlatformError::InviteUnknown),
            };
            if i.taken(username) {
                return Err(PlatformError::UsernameTaken);
            }
            let account = i.insert_account(username, password_hash, Role::Worker { miner });
            if let Some(inv) = i.invites.get_mut(key) {
                inv.used_by = Some(account.id);
            }
            Ok(account)
        })
    }

    async fn add_invite(&self, invite: Invite) -> Result<(), PlatformError> {
        self.with(|i| {
            if i.invites.contains_key(&invite.key) {
                return Err(PlatformError::Internal("duplicate invite key".into()));
            }
            i.invites.insert(invite.key.clone(), invite);
            Ok(())
        })
    }

    async fn invites(&self, miner: AccountId) -> Result<Vec<Invite>, PlatformError> {
        Ok(self.with(|i| {
            let mut v: Vec<Invite> =
                i.invites.values().filter(|v| v.miner == miner).cloned().collect();
            v.sort_by(|a, b| (a.issued_at_ns, &a.key).cmp(&(b.issued_at_ns, &b.key)));
            v
        }))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, PlatformError> {
        Ok(self.with(|i| i.accounts.get(&id).cloned()))
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<Account>, PlatformError> {
        Ok(self.with(|i| {
            i.accounts.values().find(|a| a.username.eq_ignore_ascii_case(username)).cloned()
        }))
    }

    async fn members(&self, miner: AccountId) -> Result<Vec<Account>, PlatformError> {
        Ok(self.with(|i| {
            i.accounts.values().filter(|a| a.role == Role::Worker { miner }).cloned().collect()
        }))
    }

    async fn put_session(&self, session: Session) -> Result<(), PlatformError> {
        self.with(|i| {
            i.sessions.insert(session.id.clone(), session);
        });
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<Session>, PlatformError> {
        Ok(self.with(|i| i.sessions.get(id).cloned()))
    }

    async fn touch_session(&self, id: &str, now_ns: u64) -> Result<(), PlatformError> {
        self.with(|i| {
            if let Some(s) = i.sessions.get_mut(id) {
                s.last_seen_ns = s.last_seen_ns.max(now_ns);
            }
        });
        Ok(())
    }

    async fn delete_session(&self, id: &str) -> Result<(), PlatformError> {
        self.with(|i| {
            i.sessions.remove(id);
        });
        Ok(())
    }

    async fn purge_sessions(&self, before_ns: u64) -> Result<u64, PlatformError> {
        Ok(self.with(|i| {
            let n = i.sessions.len();
            i.sessions.retain(|_, s| s.last_seen_ns >= before_ns);
            (n - i.sessions.len()) as u64
        }))
    }

    async fn add_api_key(&self, key: ApiKey) -> Result<(), PlatformError> {
        self.with(|i| {
            if i.api_keys.contains_key(&key.key_hash) {
                return Err(PlatformError::Internal("duplicate API key".into()));
            }
            i.api_keys.insert(key.key_hash.clone(), key);
            Ok(())
        })
    }

    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, PlatformError> {
        Ok(self.with(|i| i.api_keys.get(key_hash).cloned()))
    }

    async fn api_keys(&self, miner: AccountId) -> Result<Vec<ApiKey>, PlatformError> {
        Ok(self.with(|i| {
            let mut v: Vec<ApiKey> =
                i.api_keys.values().filter(|k| k.miner == miner).cloned().collect();
            v.sort_by(|a, b| (a.created_at_ns, &a.key_hash).cmp(&(b.created_at_ns, &b.key_hash)));
            v
        }))
    }

    async fn add_task(
        &self,
        task: PlatformTask,
        source_id: Option<String>,
    ) -> Result<(), PlatformError> {
        self.with(|i| {
            if i.tasks.contains_key(&task.task.id) {
                return Err(PlatformError::TaskExists(task.task.id.clone()));
            }
            if let Some(src) = &source_id
                && i.tasks
                    .values()
                    .any(|t| t.task.miner == task.miner && t.source_id.as_ref() == Some(src))
            {
                return Err(PlatformError::TaskExists(src.clone()));
            }
            i.tasks.insert(task.task.id.clone(), StoredTask { task, source_id });
            Ok(())
        })
    }

    async fn task(&self, id: &str) -> Result<Option<PlatformTask>, PlatformError> {
        Ok(self.with(|i| i.tasks.get(id).map(|t| t.task.clone())))
    }

    async fn task_source(&self, id: &str) -> Result<Option<String>, PlatformError> {
        Ok(self.with(|i| i.tasks.get(id).and_then(|t| t.source_id.clone())))
    }

    async fn tasks(&self, miner: AccountId) -> Result<Vec<PlatformTask>, PlatformError> {
        Ok(self.with(|i| {
            i.tasks.values().filter(|t| t.task.miner == miner).map(|t| t.task.clone()).collect()
        }))
    }

    async fn reveal_ground_truth(
        &self,
        task_id: &str,
        ground_truth: GroundTruth,
    ) -> Result<(), PlatformError> {
        self.with(|i| {
            let t = i.tasks.get_mut(task_id).ok_or(PlatformError::NotFound)?;
            t.task.task.ground_truth = Some(ground_truth);
            Ok(())
        })
    }

    async fn record_view(
        &self,
        task_id: &str,
        worker: AccountId,
        now_ns: u64,
    ) -> Result<(), PlatformError> {
        self.with(|i| {
            i.views.entry((task_id.to_string(), worker)).or_insert(now_ns);
        });
        Ok(())
    }

    async fn submit(&self, mut submission: Submission, now_ns: u64) -> Result<(), PlatformError> {
        self.with(|i| {
            let task = &i.tasks.get(&submission.task_id).ok_or(PlatformError::NotFound)?.task;
            let existing = i.submissions.get(&submission.task_id).map(Vec::as_slice).unwrap_or(&[]);
            let already = existing.iter().any(|s| s.worker == submission.worker);
            check_open(task, already, existing.len(), now_ns)?;
            submission.shown_at_ns =
                i.views.get(&(submission.task_id.clone(), submission.worker)).copied();
            i.submissions.entry(submission.task_id.clone()).or_default().push(submission);
            Ok(())
        })
    }

    async fn submissions(&self, task_id: &str) -> Result<Vec<Submission>, PlatformError> {
        Ok(self.with(|i| {
            let mut v = i.submissions.get(task_id).cloned().unwrap_or_default();
            sort_submissions(&mut v);
            v
        }))
    }

    async fn team_submissions(&self, miner: AccountId) -> Result<Vec<Submission>, PlatformError> {
        Ok(self.with(|i| {
            let mut v: Vec<Submission> = i
                .submissions
                .iter()
                .filter(|(id, _)| i.tasks.get(*id).is_some_and(|t| t.task.miner == miner))
                .flat_map(|(_, s)| s.iter().cloned())
                .collect();
            sort_submissions(&mut v);
            v
        }))
    }
}
