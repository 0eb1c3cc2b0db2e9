//! Leaving no copy of a key behind. `ring`'s keys have no `Drop` that wipes them (the AES
//! round keys begin with the raw key), and every move of a value leaves its old bytes where
//! it was: keys live in one heap allocation that is zeroed before it is freed, and the stack
//! below the caller is overwritten as soon as the calls that derive or expand keys return
//! ([`with_wiped_stack`]), before any other code runs on that part of the stack: code that
//! moves a value with unused bytes (an enum's larger variant, padding, a buffer not yet
//! written) copies whatever an earlier call left there, and may copy it to the heap, where
//! no later stack wipe reaches it.
use zeroize::Zeroize;

/// Keys on the heap, zeroed when dropped: the same type the protocol's signing keys use.
pub(crate) use protocol::wipe::Wiped;

/// Bytes of stack overwritten by [`wipe_stack`]: more than key derivation (Argon2id's
/// final hashing) and `ring`'s key expansion use below their caller.
const STACK_WIPE: usize = 64 * 1024;

/// Overwrites the stack below the caller, where functions that have returned left copies
/// of keys they derived or expanded. Call it right after such calls return.
#[inline(never)]
pub(crate) fn wipe_stack() {
    let mut area = [0u8; STACK_WIPE];
    area.zeroize();
    std::hint::black_box(&area);
}

/// Runs `derive` (which derives, expands or unwraps a key) in frames below this one and
/// overwrites them as soon as it returns: what it left on the stack is gone before the
/// caller runs anything that could copy it elsewhere (the wallet's storage, for one, runs
/// right after an unlock, on the same part of the stack). `derive` must return the key
/// only in wiped memory ([`Wiped`]), never by value.
#[inline(never)]
pub(crate) fn with_wiped_stack<R>(derive: impl FnOnce() -> R) -> R {
    let out = below(derive);
    wipe_stack();
    out
}

/// Calls `f` in a frame of its own, so that none of its locals can end up in the frame of
/// [`with_wiped_stack`], above the wiped area.
#[inline(never)]
fn below<R>(f: impl FnOnce() -> R) -> R {
    f()
}
