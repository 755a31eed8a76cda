//! Group commit of result submissions on PostgreSQL.
//!
//! Every PostgreSQL commit waits for its WAL flush; one commit per submission made the flush the
//! platform's limit (p99 66 ms at an offered 2,000/s on this project's test machine). Here
//! concurrent submissions queue for a few writer tasks; a writer takes whatever has queued (up
//! to [`MAX_BATCH`]) and stores it in ONE transaction with multi-row statements, so one flush
//! serves the whole batch, and answers each submitter only after the `COMMIT` returned. Nothing
//! waits on a timer: while one batch commits, the next one queues, so batches grow with the
//! load. Durability is unchanged (`synchronous_commit` stays as the server has it).
//!
//! The transaction applies the same rules as the single-statement path, per submission:
//! it locks the batch's task rows (`FOR NO KEY UPDATE`, in id order so writers cannot
//! deadlock; the single-statement path's `UPDATE` takes the same lock), reads which of the
//! batch's workers already hold a result, decides each submission in arrival order (already
//! submitted, expired, full, unknown task), inserts the accepted ones and adds them to the
//! tasks' counters. A refused submission gets its own error and does not fail the batch.
//! If the transaction fails as a whole (a lost connection, a deadlock), each of its
//! submitters is told to retry on the single-statement path, which reports its own error;
//! so does the second submission of the same worker to the same task within one batch.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::error::PlatformError;

/// Most submissions stored by one transaction.
const MAX_BATCH: usize = 512;
/// Writer tasks: while one waits for its commit's flush, another assembles the next batch.
const WRITERS: usize = 2;
/// Submissions that may wait for a writer before `submit` waits for room.
const QUEUE: usize = 8_192;

/// One validated submission, its values ready to bind.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) task_id: String,
    pub(crate) worker: i64,
    pub(crate) scores_json: String,
    pub(crate) explanation: String,
    pub(crate) submitted_at_ns: i64,
    pub(crate) now_ns: i64,
}

/// What the batch decided for one submission.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Committed.
    Stored,
    /// Refused by a rule; nothing was stored.
    Refused(PlatformError),
    /// Not decided by a batch: store it on the single-statement path.
    Retry,
}

struct Pending {
    row: Row,
    reply: oneshot::Sender<Outcome>,
}

/// The queue and its writers; the writers stop when this is dropped.
#[derive(Debug)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Pending>,
    writers: Vec<tokio::task::JoinHandle<()>>,
}

impl GroupCommit {
    /// Starts the writers on `pool`.
    pub(crate) fn start(pool: PgPool) -> GroupCommit {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let writers = (0..WRITERS)
            .map(|_| {
                let (pool, rx) = (pool.clone(), rx.clone());
                tokio::spawn(async move {
                    while let Some(batch) = next_batch(&rx).await {
                        write(&pool, batch).await;
                    }
                })
            })
            .collect();
        GroupCommit { queue, writers }
    }

    /// Stores `row` with the next batch and returns what was decided for it.
    pub(crate) async fn submit(&self, row: Row) -> Outcome {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Pending { row, reply }).await.is_err() {
            return Outcome::Retry;
        }
        // A writer that was stopped mid-batch drops the reply: its transaction rolled back.
        answer.await.unwrap_or(Outcome::Retry)
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        for w in &self.writers {
            w.abort();
        }
    }
}

/// Waits for one submission, then takes whatever else has queued, up to [`MAX_BATCH`].
async fn next_batch(rx: &Mutex<mpsc::Receiver<Pending>>) -> Option<Vec<Pending>> {
    let mut rx = rx.lock().await;
    let first = rx.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(p) => batch.push(p),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn write(pool: &PgPool, batch: Vec<Pending>) {
    // A worker's second submission to a task in the same batch goes the single-statement way,
    // after this batch has decided the first.
    let mut seen = HashSet::new();
    let (batch, repeats): (Vec<Pending>, Vec<Pending>) =
        batch.into_iter().partition(|p| seen.insert((p.row.task_id.clone(), p.row.worker)));
    for p in repeats {
        let _ = p.reply.send(Outcome::Retry);
    }
    let rows: Vec<&Row> = batch.iter().map(|p| &p.row).collect();
    match commit(pool, &rows).await {
        Ok(outcomes) => {
            for (p, o) in batch.into_iter().zip(outcomes) {
                let _ = p.reply.send(o);
            }
        }
        Err(_) => {
            for p in batch {
                let _ = p.reply.send(Outcome::Retry);
            }
        }
    }
}

/// A task's state under its row lock.
struct Open {
    expires_at_ns: i64,
    max_results: i64,
    taken: i64,
}

/// Stores the accepted `rows` in one transaction; the outcomes are in `rows`' order.
async fn commit(pool: &PgPool, rows: &[&Row]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut ids: Vec<&str> = rows.iter().map(|r| r.task_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let task_ids: Vec<&str> = rows.iter().map(|r| r.task_id.as_str()).collect();
    let workers: Vec<i64> = rows.iter().map(|r| r.worker).collect();

    let mut tx = pool.begin().await?;
    let locked: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, expires_at_ns, max_results, results FROM platform_tasks
         WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut tasks: HashMap<String, Open> = locked
        .into_iter()
        .map(|(id, expires_at_ns, max_results, taken)| {
            (id, Open { expires_at_ns, max_results, taken })
        })
        .collect();
    // Read under the task locks, which every submitter of these tasks takes first, so no
    // result of these workers can commit in between.
    let existing: HashSet<(String, i64)> = sqlx::query_as(
        "SELECT s.task_id, s.worker_id FROM platform_submissions s
         JOIN unnest($1::text[], $2::bigint[]) AS b (task_id, worker_id)
           ON s.task_id = b.task_id AND s.worker_id = b.worker_id",
    )
    .bind(&task_ids)
    .bind(&workers)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();

    let mut outcomes = Vec::with_capacity(rows.len());
    let mut accepted: Vec<&Row> = Vec::new();
    for r in rows {
        let outcome = match tasks.get_mut(&r.task_id) {
            None => Outcome::Refused(PlatformError::NotFound),
            Some(_) if existing.contains(&(r.task_id.clone(), r.worker)) => {
                Outcome::Refused(PlatformError::AlreadySubmitted)
            }
            Some(t) if r.now_ns >= t.expires_at_ns => Outcome::Refused(PlatformError::Expired),
            Some(t) if t.taken >= t.max_results => Outcome::Refused(PlatformError::Full {
                max_results: u32::try_from(t.max_results).unwrap_or(u32::MAX),
            }),
            Some(t) => {
                t.taken += 1;
                accepted.push(r);
                Outcome::Stored
            }
        };
        outcomes.push(outcome);
    }
    if accepted.is_empty() {
        tx.rollback().await?;
        return Ok(outcomes);
    }

    let column = |f: fn(&Row) -> &str| accepted.iter().map(|r| f(r)).collect::<Vec<&str>>();
    sqlx::query(
        "INSERT INTO platform_submissions
           (task_id, worker_id, scores_json, explanation, submitted_at_ns, shown_at_ns)
         SELECT b.task_id, b.worker_id, b.scores_json, b.explanation, b.submitted_at_ns,
                v.shown_at_ns
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
           AS b (task_id, worker_id, scores_json, explanation, submitted_at_ns)
         LEFT JOIN platform_views v ON v.task_id = b.task_id AND v.worker_id = b.worker_id",
    )
    .bind(column(|r| &r.task_id))
    .bind(accepted.iter().map(|r| r.worker).collect::<Vec<i64>>())
    .bind(column(|r| &r.scores_json))
    .bind(column(|r| &r.explanation))
    .bind(accepted.iter().map(|r| r.submitted_at_ns).collect::<Vec<i64>>())
    .execute(&mut *tx)
    .await?;
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for r in &accepted {
        *counts.entry(r.task_id.as_str()).or_default() += 1;
    }
    let (count_ids, counts): (Vec<&str>, Vec<i64>) = counts.into_iter().unzip();
    sqlx::query(
        "UPDATE platform_tasks t SET results = t.results + c.n
         FROM unnest($1::text[], $2::bigint[]) AS c (id, n) WHERE t.id = c.id",
    )
    .bind(&count_ids)
    .bind(&counts)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use db::{Db, DbConfig};
    use dojo_core::task::{Criteria, Task, TaskShape};

    use super::*;
    use crate::store::{Invite, PlatformStore, PlatformTask};
    use crate::{SqlStore, Submission};

    const T0: i64 = 1_700_000_000_000_000_000;

    fn task(id: &str, expires_at_ns: i64, max_results: u32) -> PlatformTask {
        let task = Task {
            id: id.into(),
            prompt: "p".into(),
            outputs: vec![],
            ground_truth: None,
            criteria: Criteria::default(),
            shape: TaskShape::TwoViableTwoFlawed,
            seed: None,
        };
        PlatformTask { task, miner: 1, expires_at_ns: expires_at_ns as u64, max_results }
    }

    fn row(task_id: &str, worker: i64) -> Row {
        Row {
            task_id: task_id.into(),
            worker,
            scores_json: "{}".into(),
            explanation: "because".into(),
            submitted_at_ns: T0,
            now_ns: T0,
        }
    }

    /// One transaction decides every rule per submission: the refused ones do not stop the
    /// accepted ones, and the counter counts exactly the stored results.
    #[tokio::test]
    async fn a_batch_decides_each_submission_by_the_rules() {
        let Some(pg) = test_support::pg::fresh_schema("platform_group") else { return };
        let db =
            Db::open(&DbConfig::Postgres { url: pg.url, schema: Some(pg.schema) }).await.unwrap();
        let store = SqlStore::open(db.clone()).await.unwrap();
        let miner = store.create_miner("acme", "h".into()).await.unwrap();
        let mut workers = Vec::new();
        for i in 0..3 {
            let key = format!("k{i}");
            let invite =
                Invite { key: key.clone(), miner: miner.id, used_by: None, issued_at_ns: 0 };
            store.add_invite(invite).await.unwrap();
            workers.push(store.redeem_invite(&key, &format!("w{i}"), "h".into()).await.unwrap().id);
        }
        let mut open = task("open", T0 + 1, 2);
        open.miner = miner.id;
        let mut old = task("old", T0, 5);
        old.miner = miner.id;
        store.add_task(open, None).await.unwrap();
        store.add_task(old, None).await.unwrap();
        let before = Submission {
            task_id: "open".into(),
            worker: workers[0],
            scores: Default::default(),
            explanation: "first".into(),
            submitted_at_ns: 1,
            shown_at_ns: None,
        };
        store.submit(before, 1).await.unwrap();

        let [w0, w1, w2] = [0, 1, 2].map(|i| i64::try_from(workers[i]).unwrap());
        let rows =
            [row("open", w0), row("open", w1), row("open", w2), row("old", w1), row("nope", w1)];
        let Db::Postgres(pool) = &db else { unreachable!() };
        let outcomes = commit(pool, &rows.iter().collect::<Vec<_>>()).await.unwrap();
        let got: Vec<String> = outcomes.iter().map(|o| format!("{o:?}")).collect();
        assert_eq!(
            got,
            [
                "Refused(AlreadySubmitted)",
                "Stored",
                "Refused(Full { max_results: 2 })",
                "Refused(Expired)",
                "Refused(NotFound)",
            ]
        );
        let stored: Vec<(u64, String)> = store
            .submissions("open")
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.worker, s.explanation))
            .collect();
        assert_eq!(stored, [(workers[0], "first".into()), (workers[1], "because".into())]);
        let (results,): (i64,) =
            sqlx::query_as("SELECT results FROM platform_tasks WHERE id = 'open'")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(results, 2);
    }
}
