//! Leaving no copy of a signing key behind when it is dropped. `ring`'s `EcdsaKeyPair` has
//! no `Drop` that wipes it (it holds the secret scalar, in Montgomery form, and the key of
//! its nonce generator), so it lives in one heap allocation that is zeroed before it is
//! freed; a heap value is also not copied when the key is moved. The wallet keeps its `ring`
//! AES keys in the same [`Wiped`] (`wallet-core/src/wipe.rs` adds the stack wipe).
use std::mem::MaybeUninit;
use std::ops::Deref;

use zeroize::Zeroize;

/// A value on the heap whose bytes are zeroed when it is dropped.
pub struct Wiped<T>(Box<MaybeUninit<T>>);

impl<T> Wiped<T> {
    pub fn new(value: T) -> Wiped<T> {
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
