//! Leaving no copy of a key behind. `ring`'s keys have no `Drop` that wipes them (the AES
//! round keys begin with the raw key), and every move of a value leaves its old bytes where
//! it was: keys live in one heap allocation that is zeroed before it is freed, and the stack
//! below the caller is overwritten after the calls that derive or expand keys.
use std::mem::MaybeUninit;
use std::ops::Deref;

use zeroize::Zeroize;

/// A value on the heap whose bytes are zeroed when it is dropped.
pub(crate) struct Wiped<T>(Box<MaybeUninit<T>>);

impl<T> Wiped<T> {
    pub(crate) fn new(value: T) -> Wiped<T> {
        Wiped(Box::new(MaybeUninit::new(value)))
    }
}

impl<T> Deref for Wiped<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: initialised in `new`, and only de-initialised in `drop`.
        unsafe { self.0.assume_init_ref() }
    }
}

impl<T> Drop for Wiped<T> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` and dropped only here, once; afterwards the bytes are
        // only overwritten (a `MaybeUninit` may hold any bytes) and then freed.
        unsafe { self.0.assume_init_drop() };
        self.0.zeroize();
    }
}

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
