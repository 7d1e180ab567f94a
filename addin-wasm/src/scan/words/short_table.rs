//! The table of first tokens packed into numbers ([`short_key`](super::short_key)): the lookup
//! the scanner makes for most words of a text, so it is a plain open-addressing table rather
//! than a general hash map.
//!
//! Why not `HashMap`: in WebAssembly (32-bit `usize`), FxHash mixes a 128-bit key as four
//! 32-bit multiplications, and hashbrown adds its control bytes to every probe. Here a key is
//! hashed by two 64-bit multiplications (native in WebAssembly too), the table is at most half
//! full, and a probe compares whole keys in a row of slots until it meets the key or an empty
//! slot. Keys are never zero (a packed key carries its length in its top byte), so zero marks an
//! empty slot. The table is built once from the finished map and never changes. Measured alone,
//! the change was within noise (figures in bench/README.md); it stays because the table holds
//! only numbers of first tokens, which the follow-up filter needs.

/// Packed keys (never zero) -> `u32` values, read-only.
#[derive(Debug, Clone)]
pub(super) struct ShortTable {
    /// `keys[i]` is zero for an empty slot.
    keys: Vec<u128>,
    values: Vec<u32>,
    /// `64 - log2(number of slots)`: a hash's top bits pick the first slot.
    shift: u32,
}

impl ShortTable {
    /// A table of `pairs`, whose keys must be distinct and non-zero (a zero key is left out).
    pub(super) fn new(pairs: impl ExactSizeIterator<Item = (u128, u32)>) -> ShortTable {
        let slots = (pairs.len() * 2).next_power_of_two().max(16);
        let mut table = ShortTable {
            keys: vec![0; slots],
            values: vec![0; slots],
            shift: 64 - slots.trailing_zeros(),
        };
        let mask = slots - 1;
        for (key, value) in pairs {
            if key == 0 {
                continue;
            }
            let mut slot = table.first_slot(key);
            // At most half full: an empty slot is always found.
            while table.keys[slot] != 0 && table.keys[slot] != key {
                slot = (slot + 1) & mask;
            }
            table.keys[slot] = key;
            table.values[slot] = value;
        }
        table
    }

    /// The value of `key`, if it is in the table.
    #[inline]
    pub(super) fn get(&self, key: u128) -> Option<u32> {
        let mask = self.keys.len() - 1;
        let mut slot = self.first_slot(key);
        loop {
            let found = *self.keys.get(slot)?;
            if found == 0 {
                return None;
            }
            if found == key {
                return self.values.get(slot).copied();
            }
            slot = (slot + 1) & mask;
        }
    }

    #[inline(always)]
    fn first_slot(&self, key: u128) -> usize {
        let (low, high) = (key as u64, (key >> 64) as u64);
        let mixed =
            (low ^ high.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> self.shift) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        // Keys that differ only in their length byte or in one byte, as packed tokens do.
        let keys: Vec<u128> = (1..2_000u128)
            .map(|i| (i % 7 + 1) << 120 | (i * 0x0101) << (8 * (i % 9)))
            .collect();
        let mut distinct = keys.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let table = ShortTable::new(distinct.iter().enumerate().map(|(v, &k)| (k, v as u32)));
        for (v, &k) in distinct.iter().enumerate() {
            assert_eq!(table.get(k), Some(v as u32));
        }
        for &k in &distinct {
            let other = k ^ 1 << 64;
            if distinct.binary_search(&other).is_err() {
                assert_eq!(table.get(other), None);
            }
        }
        assert_eq!(table.get(0), None);
        let empty = ShortTable::new(std::iter::empty());
        assert_eq!(empty.get(1 << 120 | 0x61), None);
    }
}
