//! Layer streams as they come: plain tar, gzip or zstd, told apart by their first bytes;
//! and readers that hash and count what passes through them.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What the first bytes of a stream say it is.
pub fn detect(prefix: &[u8]) -> Result<Compression, String> {
    const UNSUPPORTED: &[(&[u8], &str)] = &[
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"\x04\x22\x4d\x18", "lz4"),
        (b"PK\x03\x04", "zip"),
    ];
    if prefix.starts_with(&[0x1f, 0x8b]) {
        return Ok(Compression::Gzip);
    }
    if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Ok(Compression::Zstd);
    }
    for (magic, name) in UNSUPPORTED {
        if prefix.starts_with(magic) {
            return Err(format!(
                "{name} compression is not supported (only gzip and zstd)"
            ));
        }
    }
    Ok(Compression::None)
}

/// Wraps `reader` so that it yields the uncompressed bytes. Returns the compression found.
pub fn decompressed<'a, R: Read + Send + 'a>(
    reader: R,
) -> Result<(Compression, Box<dyn Read + Send + 'a>), String> {
    let mut buffered = BufReader::with_capacity(64 * 1024, reader);
    let prefix = buffered.fill_buf().map_err(|e| e.to_string())?;
    let compression = detect(prefix)?;
    let reader: Box<dyn Read + Send + 'a> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => Box::new(ZstdReader::new(buffered)?),
    };
    Ok((compression, reader))
}

/// ruzstd's decoder, read frame after frame (a zstd stream may hold several).
struct ZstdReader<R: Read> {
    decoder: ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>,
}

impl<R: Read> ZstdReader<R> {
    fn new(reader: R) -> Result<Self, String> {
        let decoder = ruzstd::decoding::StreamingDecoder::new(reader)
            .map_err(|e| format!("not a zstd stream: {e}"))?;
        Ok(ZstdReader { decoder })
    }
}

impl<R: Read> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf)
    }
}

/// Counts and hashes (SHA-256) every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    /// Shared progress counter, if someone watches.
    progress: Option<Arc<AtomicU64>>,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress: None,
        }
    }

    pub fn with_progress(mut self, progress: Arc<AtomicU64>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Reads what is left (so the digest covers the whole stream) and returns
    /// `("sha256:<hex>", bytes)`.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = format!("sha256:{}", hex(&self.hasher.finalize()));
        Ok((digest, self.bytes))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if let Some(progress) = &self.progress {
            progress.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_and_zstd_are_unwrapped_and_plain_passes_through() {
        let data = b"hello layer".repeat(1000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        let gz = gz.finish().unwrap();
        let zst = ruzstd::encoding::compress_to_vec(
            &data[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        for (bytes, want) in [
            (gz, Compression::Gzip),
            (zst, Compression::Zstd),
            (data.clone(), Compression::None),
        ] {
            let (found, mut reader) = decompressed(&bytes[..]).unwrap();
            assert_eq!(found, want);
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn unknown_compressions_are_named() {
        let err = detect(b"\xfd7zXZ\x00rest").unwrap_err();
        assert!(err.contains("xz"), "{err}");
        assert!(detect(b"BZh91AY").unwrap_err().contains("bzip2"));
    }

    #[test]
    fn hashing_reader_gives_the_sha256_of_everything() {
        let reader = HashingReader::new(&b"abc"[..]);
        let (digest, bytes) = reader.finish().unwrap();
        assert_eq!(bytes, 3);
        assert_eq!(
            digest,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
