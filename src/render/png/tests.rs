use super::*;

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

#[test]
fn images_round_trip() {
    let (w, h) = (7u32, 5u32);
    let pixels: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
    let png = encode_rgb(w, h, &pixels).unwrap();
    assert_eq!(&png[..8], &SIGNATURE);
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(decode_rgb(&png).unwrap(), (w, h, pixels));
}

#[test]
fn encoding_is_deterministic() {
    let pixels = vec![200u8; 30 * 20 * 3];
    assert_eq!(
        encode_rgb(30, 20, &pixels).unwrap(),
        encode_rgb(30, 20, &pixels).unwrap()
    );
}

#[test]
fn wrong_sizes_and_damaged_files_are_errors() {
    assert!(encode_rgb(2, 2, &[0; 11]).is_err());
    let mut png = encode_rgb(2, 2, &[9; 12]).unwrap();
    assert!(decode_rgb(&png[1..]).is_err());
    let last = png.len() - 20;
    png[last] ^= 0xFF;
    assert!(decode_rgb(&png).is_err());
}
