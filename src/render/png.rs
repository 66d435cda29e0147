//! A minimal PNG encoder for 8-bit RGB pixel buffers, so that charts become bytes without
//! touching the file system.
//!
//! Invariant: the output is a valid PNG (signature, IHDR, one IDAT, IEND, each with its
//! CRC-32) and depends only on the pixels: no timestamps, no text chunks, a fixed compression
//! level and a fixed filter choice.

use std::io::Write;

use anyhow::{bail, Context, Result};
use flate2::write::ZlibEncoder;
use flate2::Compression;

/// The 8-byte PNG signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The CRC-32 of `bytes` (ISO 3309, as PNG requires).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Result<()> {
    let length = u32::try_from(data.len()).context("a PNG chunk is larger than 4 GiB")?;
    out.extend_from_slice(&length.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
    Ok(())
}

/// Encodes a `width` × `height` RGB buffer (3 bytes a pixel, rows top to bottom) as PNG.
///
/// Each row uses the "Up" filter (the difference from the row above), which turns the large
/// flat areas of a chart into zeros and keeps files small.
///
/// # Errors
///
/// When the buffer's length does not match the size.
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>> {
    let row = width as usize * 3;
    if rgb.len() != row * height as usize {
        bail!(
            "a {width}×{height} RGB image needs {} bytes, got {}",
            row * height as usize,
            rgb.len()
        );
    }
    let mut filtered = Vec::with_capacity((row + 1) * height as usize);
    for y in 0..height as usize {
        let current = &rgb[y * row..(y + 1) * row];
        if y == 0 {
            filtered.push(0);
            filtered.extend_from_slice(current);
        } else {
            let above = &rgb[(y - 1) * row..y * row];
            filtered.push(2);
            filtered.extend(current.iter().zip(above).map(|(c, a)| c.wrapping_sub(*a)));
        }
    }
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(6));
    encoder
        .write_all(&filtered)
        .context("cannot compress the image")?;
    let compressed = encoder.finish().context("cannot compress the image")?;

    let mut out = Vec::with_capacity(compressed.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header)?;
    chunk(&mut out, b"IDAT", &compressed)?;
    chunk(&mut out, b"IEND", &[])?;
    Ok(out)
}
