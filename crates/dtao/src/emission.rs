//! emission
