//! [`TaskHandle`]: the owner of a background task and its shutdown path.

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Owns a spawned task. [`TaskHandle::shutdown`] asks it to stop and waits for it; dropping the
/// handle also asks it to stop (the task sees the channel close).
#[derive(Debug)]
pub struct TaskHandle {
    stop: watch::Sender<bool>,
    join: Option<JoinHandle<()>>,
}

/// The receiving end a task watches to know when to stop.
pub(crate) type StopSignal = watch::Receiver<bool>;

impl TaskHandle {
    /// Spawns `make(stop)` and owns it.
    pub(crate) fn spawn<F, Fut>(make: F) -> Self
    where
        F: FnOnce(StopSignal) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, rx) = watch::channel(false);
        let join = tokio::spawn(make(rx));
        Self { stop, join: Some(join) }
    }

    /// Asks the task to stop and waits until it has.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(join) = self.join.take()
            && let Err(e) = join.await
        {
            tracing::warn!(error = %e, "terminal: background task ended abnormally");
        }
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Resolves when `stop` says stop (or its sender is gone).
pub(crate) async fn stopped(stop: &mut StopSignal) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}
