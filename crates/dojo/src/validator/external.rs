//! External tasks (in progress).
