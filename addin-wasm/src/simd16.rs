//! Sixteen bytes at once with WebAssembly's 128-bit SIMD, for the loops that read every byte of
//! a text: folding's ASCII runs, the word index's token starts and the detectors' digit search.
//!
//! Only the WebAssembly build with `simd128` has this module. Native builds and the wasm2js
//! build keep the eight-byte words of [`ascii`](crate::ascii), which need no SIMD extension;
//! natively, an x86 SIMD path would be faster still, but the scanner is tuned for where it runs
//! in Office, and one eight-byte path keeps the native build the simple reference the wasm
//! tests compare with. Vectors are built from two 64-bit loads rather than a 128-bit load,
//! which needs `unsafe` (the crate forbids it); the engines turn the pair into one load.

use core::arch::wasm32::*;

/// The sixteen bytes at `bytes[at..]`, or `None` when fewer remain.
#[inline(always)]
pub(crate) fn load(bytes: &[u8], at: usize) -> Option<v128> {
    let chunk = bytes.get(at..at.checked_add(16)?)?;
    let (low, high) = chunk.split_at(8);
    Some(u64x2(
        u64::from_le_bytes(low.try_into().ok()?),
        u64::from_le_bytes(high.try_into().ok()?),
    ))
}

/// Marks (all ones) the lanes of `v` in `low..=high`: unsigned "x - low < count" tests a range
/// in one comparison.
#[inline(always)]
pub(crate) fn in_range(v: v128, low: u8, high: u8) -> v128 {
    u8x16_lt(u8x16_sub(v, u8x16_splat(low)), u8x16_splat(high - low + 1))
}

/// Marks the lanes of `v` equal to `byte`.
#[inline(always)]
pub(crate) fn equal_to(v: v128, byte: u8) -> v128 {
    u8x16_eq(v, u8x16_splat(byte))
}

/// Bit `i` set for each marked lane `i` of a test above (its high bit).
#[inline(always)]
pub(crate) fn bits(v: v128) -> u32 {
    u32::from(u8x16_bitmask(v))
}
