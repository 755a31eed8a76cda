//! The platform's state behind a small async trait, and its in-memory implementation.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use super::error::PlatformError;
use crate::task::{OutputId, Task};

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
    /// Unique login name.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Miner or worker.
    pub role: Role,
}

/// A browser session (anonymous until login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The cookie value: 256 random bits, hex.
    pub token: String,
    /// The CSRF token every POST of this session must carry.
    pub csrf: String,
    /// The logged-in account, if any.
    pub account: Option<AccountId>,
}

/// An invite key issued by a miner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The key (random, hex).
    pub key: String,
    /// The issuing miner.
    pub miner: AccountId,
    /// The worker who used it, once used.
    pub used_by: Option<AccountId>,
}

/// A task on the platform: the validator's task for one miner, with its deadline and cap.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformTask {
    /// The task (its ground truth stays on the server, never rendered).
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
}

/// Storage of the worker platform. Operations that must be atomic (redeeming an invite,
/// accepting a submission) are single calls so a database implementation can make each one
/// transaction.
#[async_trait]
pub trait PlatformStore: Send + Sync + 'static {
    /// Creates a miner account; fails if the username is taken.
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
    /// Invites issued by `miner`.
    async fn invites(&self, miner: AccountId) -> Vec<Invite>;
    /// Account by id.
    async fn account(&self, id: AccountId) -> Option<Account>;
    /// Account by username.
    async fn account_by_username(&self, username: &str) -> Option<Account>;
    /// Workers of `miner`, by id.
    async fn members(&self, miner: AccountId) -> Vec<Account>;
    /// Stores (or replaces) a session.
    async fn put_session(&self, session: Session);
    /// Session by token.
    async fn session(&self, token: &str) -> Option<Session>;
    /// Deletes a session.
    async fn delete_session(&self, token: &str);
    /// Adds a task; fails if its id exists.
    async fn add_task(&self, task: PlatformTask) -> Result<(), PlatformError>;
    /// Task by id.
    async fn task(&self, id: &str) -> Option<PlatformTask>;
    /// Tasks of `miner`, by id.
    async fn tasks(&self, miner: AccountId) -> Vec<PlatformTask>;
    /// Atomically accepts a submission: refused if the worker already submitted, the task
    /// expired at `now_ns`, or it has its maximum results.
    async fn submit(&self, submission: Submission, now_ns: u64) -> Result<(), PlatformError>;
    /// Submissions for a task.
    async fn submissions(&self, task_id: &str) -> Vec<Submission>;
}

/// Checks whether `worker` may still submit to `task` given its existing submissions.
pub(crate) fn check_open(
    task: &PlatformTask,
    existing: &[Submission],
    worker: AccountId,
    now_ns: u64,
) -> Result<(), PlatformError> {
    if existing.iter().any(|s| s.worker == worker) {
        return Err(PlatformError::AlreadySubmitted);
    }
    if now_ns >= task.expires_at_ns {
        return Err(PlatformError::Expired);
    }
    let n = u32::try_from(existing.len()).unwrap_or(u32::MAX);
    if n >= task.max_results {
        return Err(PlatformError::Full { max_results: task.max_results });
    }
    Ok(())
}

#[derive(Default)]
struct Inner {
    accounts: BTreeMap<AccountId, Account>,
    next_id: AccountId,
    invites: BTreeMap<String, Invite>,
    sessions: HashMap<String, Session>,
    tasks: BTreeMap<String, PlatformTask>,
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

/// The in-memory store (state is lost on restart; persistence comes later).
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

    async fn invites(&self, miner: AccountId) -> Vec<Invite> {
        self.with(|i| i.invites.values().filter(|v| v.miner == miner).cloned().collect())
    }

    async fn account(&self, id: AccountId) -> Option<Account> {
        self.with(|i| i.accounts.get(&id).cloned())
    }

    async fn account_by_username(&self, username: &str) -> Option<Account> {
        self.with(|i| {
            i.accounts.values().find(|a| a.username.eq_ignore_ascii_case(username)).cloned()
        })
    }

    async fn members(&self, miner: AccountId) -> Vec<Account> {
        self.with(|i| {
            i.accounts.values().filter(|a| a.role == Role::Worker { miner }).cloned().collect()
        })
    }

    async fn put_session(&self, session: Session) {
        self.with(|i| {
            i.sessions.insert(session.token.clone(), session);
        });
    }

    async fn session(&self, token: &str) -> Option<Session> {
        self.with(|i| i.sessions.get(token).cloned())
    }

    async fn delete_session(&self, token: &str) {
        self.with(|i| {
            i.sessions.remove(token);
        });
    }

    async fn add_task(&self, task: PlatformTask) -> Result<(), PlatformError> {
        self.with(|i| {
            if i.tasks.contains_key(&task.task.id) {
                return Err(PlatformError::Internal(format!("task {} exists", task.task.id)));
            }
            i.tasks.insert(task.task.id.clone(), task);
            Ok(())
        })
    }

    async fn task(&self, id: &str) -> Option<PlatformTask> {
        self.with(|i| i.tasks.get(id).cloned())
    }

    async fn tasks(&self, miner: AccountId) -> Vec<PlatformTask> {
        self.with(|i| i.tasks.values().filter(|t| t.miner == miner).cloned().collect())
    }

    async fn submit(&self, submission: Submission, now_ns: u64) -> Result<(), PlatformError> {
        self.with(|i| {
            let task = i.tasks.get(&submission.task_id).ok_or(PlatformError::NotFound)?;
            let existing = i.submissions.get(&submission.task_id).map(Vec::as_slice).unwrap_or(&[]);
            check_open(task, existing, submission.worker, now_ns)?;
            i.submissions.entry(submission.task_id.clone()).or_default().push(submission);
            Ok(())
        })
    }

    async fn submissions(&self, task_id: &str) -> Vec<Submission> {
        self.with(|i| i.submissions.get(task_id).cloned().unwrap_or_default())
    }
}
