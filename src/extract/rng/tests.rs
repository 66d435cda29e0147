use super::*;

/// splitmix64 from seed 0: the first outputs of the reference C implementation.
#[test]
fn splitmix_matches_the_reference() {
    let mut mix = SplitMix64::new(0);
    assert_eq!(mix.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(mix.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn same_seed_same_stream_and_different_seed_different_stream() {
    let a: Vec<u64> = {
        let mut r = Rng::new(42);
        (0..8).map(|_| r.next_u64()).collect()
    };
    let b: Vec<u64> = {
        let mut r = Rng::new(42);
        (0..8).map(|_| r.next_u64()).collect()
    };
    let c: Vec<u64> = {
        let mut r = Rng::new(43);
        (0..8).map(|_| r.next_u64()).collect()
    };
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn uniform_and_below_stay_in_range_and_look_uniform() {
    let mut rng = Rng::new(7);
    let mut counts = [0u32; 10];
    for _ in 0..100_000 {
        let u = rng.uniform();
        assert!((0.0..1.0).contains(&u));
        let k = rng.below(10);
        counts[k as usize] += 1;
    }
    // Each bin expects 10,000; 5 standard deviations is about 475.
    for c in counts {
        assert!((9_500..10_500).contains(&c), "{counts:?}");
    }
    assert_eq!(rng.below(0), 0);
}

#[test]
fn normal_has_mean_zero_and_unit_variance() {
    let mut rng = Rng::new(11);
    let n = 200_000;
    let values: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    assert!(mean.abs() < 0.01, "{mean}");
    assert!((var - 1.0).abs() < 0.01, "{var}");
}

#[test]
fn weighted_follows_the_weights() {
    let mut rng = Rng::new(3);
    let cum = cumulative(&[1.0, 0.0, 3.0]);
    let mut counts = [0u32; 3];
    for _ in 0..40_000 {
        counts[rng.weighted(&cum)] += 1;
    }
    assert_eq!(counts[1], 0);
    assert!((9_400..10_600).contains(&counts[0]), "{counts:?}");
}

#[test]
fn label_streams_are_stable() {
    assert_eq!(fnv1a(b""), 0xCBF2_9CE4_8422_2325);
    assert_eq!(fnv1a(b"a"), 0xAF63_DC4C_8601_EC8C);
    let mut a = Rng::for_label(1, "Hartlepool 1");
    let mut b = Rng::for_label(1, "Hartlepool 1");
    assert_eq!(a.next_u64(), b.next_u64());
}
