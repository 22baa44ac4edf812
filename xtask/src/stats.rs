//! Order statistics of measured times, shared by the benchmark tasks (`bench`, `bench-dap`,
//! `bench-lsp`): the median and other quantiles.
//!
//! Both take the times in any order (they sort a copy), so a caller never has to remember whether
//! its slice is already sorted.

use std::time::Duration;

/// The median of `times`: the middle one, or the mean of the two middle ones; zero when empty.
pub fn median(times: &[Duration]) -> Duration {
    let sorted = sorted(times);
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The time at fraction `q` (0 to 1) of `times` in increasing order (the nearest rank); zero when
/// empty.
pub fn quantile(times: &[Duration], q: f64) -> Duration {
    let sorted = sorted(times);
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let last = sorted.len() - 1;
    let index = (last as f64 * q.clamp(0.0, 1.0)).round() as usize;
    sorted[index.min(last)]
}

fn sorted(times: &[Duration]) -> Vec<Duration> {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&[ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(&[ms(7)]), ms(7));
        assert_eq!(median(&[]), Duration::ZERO);
    }

    #[test]
    fn quantiles() {
        let ms = Duration::from_millis;
        let times: Vec<Duration> = (1..=11).rev().map(ms).collect();
        assert_eq!(quantile(&times, 0.9), ms(10));
        assert_eq!(quantile(&times, 0.1), ms(2));
        assert_eq!(quantile(&times, 0.0), ms(1));
        assert_eq!(quantile(&times, 1.0), ms(11));
        assert_eq!(quantile(&times, 2.0), ms(11));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }
}
