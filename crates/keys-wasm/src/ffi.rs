//! The C-ABI exports JavaScript calls. Inputs are buffers JavaScript got from [`kw_alloc`]
//! and filled; every answer goes to one output buffer read with [`kw_out_ptr`] and
//! [`kw_out_len`]. The module is single-threaded (the page's worker), so a thread-local holds
//! the output.
#![allow(unsafe_code)]

use std::cell::RefCell;

use zeroize::{Zeroize, Zeroizing};

thread_local! {
    static OUT: RefCell<Zeroizing<Vec<u8>>> = RefCell::new(Zeroizing::new(Vec::new()));
}

fn answer(result: Result<Zeroizing<String>, String>) -> i32 {
    let (code, bytes) = match result {
        Ok(s) => (0, s.as_bytes().to_vec()),
        Err(e) => (1, e.into_bytes()),
    };
    OUT.with(|o| *o.borrow_mut() = Zeroizing::new(bytes));
    code
}

/// The bytes JavaScript wrote at `ptr..ptr+len`.
///
/// # Safety
/// `ptr` comes from [`kw_alloc`] with at least `len` bytes, or `len` is 0.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract: a live allocation of at least `len` bytes.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// A buffer of `len` bytes for an input (free it with [`kw_free`]).
#[unsafe(no_mangle)]
pub extern "C" fn kw_alloc(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len.max(1)];
    let ptr = v.as_mut_ptr();
    std::mem::forget(v);
    ptr
}

/// Zeroes and frees a buffer from [`kw_alloc`].
///
/// # Safety
/// `ptr` and `len` are exactly what [`kw_alloc`] was called with and returned, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kw_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: rebuilt with the allocation's own pointer and capacity (`kw_alloc`'s contract).
    let mut v = unsafe { Vec::from_raw_parts(ptr, len.max(1), len.max(1)) };
    v.zeroize();
}

/// Where the last answer is.
#[unsafe(no_mangle)]
pub extern "C" fn kw_out_ptr() -> *const u8 {
    OUT.with(|o| o.borrow().as_ptr())
}

/// The last answer's length.
#[unsafe(no_mangle)]
pub extern "C" fn kw_out_len() -> usize {
    OUT.with(|o| o.borrow().len())
}

/// Zeroes the last answer (it may hold a secret).
#[unsafe(no_mangle)]
pub extern "C" fn kw_out_clear() {
    OUT.with(|o| *o.borrow_mut() = Zeroizing::new(Vec::new()));
}

/// [`crate::generate`].
#[unsafe(no_mangle)]
pub extern "C" fn kw_generate(words: u32) -> i32 {
    answer(crate::generate(usize::try_from(words).unwrap_or(0)))
}

/// [`crate::inspect`] of the UTF-8 secret at `ptr`.
///
/// # Safety
/// As [`input`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kw_inspect(ptr: *const u8, len: usize) -> i32 {
    // SAFETY: forwarded contract.
    let secret = unsafe { input(ptr, len) };
    answer(text(secret).and_then(crate::inspect))
}

/// [`crate::from_keyfile`] of the keyfile bytes and the UTF-8 password.
///
/// # Safety
/// As [`input`], for both buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kw_from_keyfile(
    data: *const u8,
    data_len: usize,
    password: *const u8,
    password_len: usize,
) -> i32 {
    // SAFETY: forwarded contract.
    let (data, password) = unsafe { (input(data, data_len), input(password, password_len)) };
    answer(text(password).and_then(|p| crate::from_keyfile(data, p)))
}

/// [`crate::sign`]: the UTF-8 secret signs the message bytes.
///
/// # Safety
/// As [`input`], for both buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kw_sign(
    secret: *const u8,
    secret_len: usize,
    message: *const u8,
    message_len: usize,
) -> i32 {
    // SAFETY: forwarded contract.
    let (secret, message) = unsafe { (input(secret, secret_len), input(message, message_len)) };
    answer(text(secret).and_then(|s| crate::sign(s, message)).map(Zeroizing::new))
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod random {
    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        /// Fills `len` bytes at `ptr` from `crypto.getRandomValues` (the page provides it).
        fn random_fill(ptr: *mut u8, len: usize);
    }

    fn fill(dest: &mut [u8]) -> Result<(), getrandom::Error> {
        // SAFETY: the page writes exactly `dest.len()` bytes into `dest`.
        unsafe { random_fill(dest.as_mut_ptr(), dest.len()) };
        Ok(())
    }

    getrandom::register_custom_getrandom!(fill);
}
