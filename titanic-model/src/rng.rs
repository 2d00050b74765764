//! A tiny deterministic random number generator (SplitMix64), so that weight initialisation,
//! shuffling and dropout masks depend only on the seed, never on a backend's global state.

/// SplitMix64: fast, seedable, identical output on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Derives an independent generator for a sub-task (`stream`), e.g. one fold or one seed.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut g = Self(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        Self(g.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The integer threshold for [`next_below`](Self::next_below) that stands for probability
    /// `p`: `next_f64()` is `(next_u64() >> 11) / 2^53`, and scaling by a power of two is exact,
    /// so `next_f64() < p` holds exactly when `(next_u64() >> 11) < ceil(p * 2^53)`.
    pub fn cut(p: f64) -> u64 {
        // `as` saturates: a negative or NaN `p` gives 0 (never), `p >= 1` gives 2^53 or more.
        (p * (1u64 << 53) as f64).ceil() as u64
    }

    /// `true` with probability `p` where `cut == Self::cut(p)`: the same outcome, from the same
    /// draw, as `self.next_f64() < p`, without the float conversion and division (dropout masks
    /// draw thousands of these per step).
    pub fn next_below(&mut self, cut: u64) -> bool {
        (self.next_u64() >> 11) < cut
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f64() as f32
    }

    /// Uniform integer in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_f64() * n as f64) as usize % n
        }
    }

    /// Fisher-Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_shuffle_is_permutation() {
        let (mut a, mut b) = (SplitMix64::new(7), SplitMix64::new(7));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert_ne!(
            SplitMix64::derive(7, 1).next_u64(),
            SplitMix64::derive(7, 2).next_u64()
        );
        let mut v: Vec<usize> = (0..50).collect();
        a.shuffle(&mut v);
        let mut s = v.clone();
        s.sort_unstable();
        assert_eq!(s, (0..50).collect::<Vec<_>>());
        assert!((0..1000).all(|_| (0.0..1.0).contains(&a.next_f64())));
        assert_eq!(a.below(0), 0);
    }

    #[test]
    fn next_below_is_next_f64_less_than() {
        let probs = [
            0.0,
            1.0,
            0.5,
            1.0 / 3.0,
            f64::from(0.9f32),
            f64::from(1.0f32 - 0.1f32),
            1e-9,
            1.0 - f64::EPSILON,
            1.5,
            -0.5,
            f64::NAN,
        ];
        for (k, &p) in probs.iter().enumerate() {
            let (mut a, mut b) = (SplitMix64::new(k as u64), SplitMix64::new(k as u64));
            let cut = SplitMix64::cut(p);
            assert!(
                (0..20_000).all(|_| a.next_below(cut) == (b.next_f64() < p)),
                "p = {p}"
            );
        }
        // Right at the boundary: the draw whose value is exactly p is not below it.
        let x = 3u64 << 50;
        let p = x as f64 / (1u64 << 53) as f64;
        assert_eq!(SplitMix64::cut(p), x);
    }
}
