//! A small, bounded tar reader: headers only, data skipped (or handed out on request).
//!
//! Why not the `tar` crate: it reads GNU long names and PAX headers of any declared size
//! into memory, and its errors do not say which bytes were wrong. Layer archives come from
//! outside, so every length here is capped, a truncated archive is an error (never a short
//! index), and a header whose checksum does not add up is reported as corrupt.
//!
//! Understood: ustar (name + prefix), GNU long names and link names (`L`, `K`), PAX
//! per-entry records (`path`, `linkpath`, `size`, `uid`, `gid`), base-256 numbers. PAX
//! global headers and GNU volume labels are skipped.

use std::io::{self, Read};

const BLOCK: usize = 512;
/// Longest GNU long name / long link name accepted (Linux paths stop at 4,096 bytes).
const MAX_LONG_NAME: u64 = 64 * 1024;
/// Largest PAX extended header accepted.
const MAX_PAX: u64 = 1024 * 1024;

/// The type of an entry, as the archive declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TarKind {
    File,
    Dir,
    Symlink,
    HardLink,
    /// Character or block device, FIFO, or anything else that has no content to show.
    Other,
}

/// One entry's header, with the long name, long link and PAX overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarHeader {
    /// The path as written in the archive (not normalised).
    pub path: Vec<u8>,
    pub link: Vec<u8>,
    pub kind: TarKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Declared size of the entry's data (0 for links and directories in practice).
    pub size: u64,
}

/// Why a tar archive could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarError {
    /// The stream ended inside a header or an entry's data.
    Truncated,
    /// A header is not a tar header (bad checksum, bad number, oversized long name).
    Corrupt(String),
    /// Reading the stream failed (decompression error, transport error).
    Io(String),
}

impl std::fmt::Display for TarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TarError::Truncated => {
                f.write_str("the archive is truncated (it ends inside an entry)")
            }
            TarError::Corrupt(why) => write!(f, "the archive is corrupt ({why})"),
            TarError::Io(why) => write!(f, "reading failed: {why}"),
        }
    }
}

impl From<io::Error> for TarError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            TarError::Truncated
        } else {
            TarError::Io(e.to_string())
        }
    }
}

/// Reads entries one after the other. Call [`TarScanner::next_header`], then optionally
/// [`TarScanner::read_data`]; unread data is skipped on the next call.
pub struct TarScanner<R> {
    reader: R,
    /// Data bytes of the current entry not read yet, and the padding after them.
    remaining: u64,
    padding: u64,
    finished: bool,
    scratch: Box<[u8]>,
}

impl<R: Read> TarScanner<R> {
    pub fn new(reader: R) -> Self {
        TarScanner {
            reader,
            remaining: 0,
            padding: 0,
            finished: false,
            scratch: vec![0u8; 64 * 1024].into_boxed_slice(),
        }
    }

    /// The underlying reader (to drain what follows the end-of-archive blocks).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The next entry's header; `None` at the end of the archive.
    pub fn next_header(&mut self) -> Result<Option<TarHeader>, TarError> {
        if self.finished {
            return Ok(None);
        }
        self.skip_rest()?;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax = Pax::default();
        loop {
            let mut block = [0u8; BLOCK];
            if !self.read_block(&mut block)? {
                // A clean end at a block boundary without the zero blocks: accepted, as Go's
                // archive/tar does (the layer's digest, checked by the caller, is the guard).
                self.finished = true;
                return if long_name.is_some() || long_link.is_some() || pax.any() {
                    Err(TarError::Truncated)
                } else {
                    Ok(None)
                };
            }
            if block.iter().all(|&b| b == 0) {
                self.finished = true;
                return Ok(None);
            }
            verify_checksum(&block)?;
            let size = parse_number(&block[124..136]).ok_or_else(|| corrupt("bad size field"))?;
            let typeflag = block[156];
            match typeflag {
                b'L' | b'K' => {
                    if size > MAX_LONG_NAME {
                        return Err(corrupt("a long name longer than 64 KiB"));
                    }
                    let mut value = self.read_small(size)?;
                    trim_nul(&mut value);
                    if typeflag == b'L' {
                        long_name = Some(value);
                    } else {
                        long_link = Some(value);
                    }
                }
                b'x' | b'X' => {
                    if size > MAX_PAX {
                        return Err(corrupt("a PAX header larger than 1 MiB"));
                    }
                    let records = self.read_small(size)?;
                    pax.parse(&records)?;
                }
                b'g' | b'V' => {
                    // Global PAX defaults and volume labels describe no file.
                    self.remaining = size;
                    self.padding = padding_of(size);
                    self.skip_rest()?;
                }
                _ => {
                    let header =
                        self.entry_header(&block, typeflag, size, long_name, long_link, pax)?;
                    self.remaining = header.size;
                    self.padding = padding_of(header.size);
                    return Ok(Some(header));
                }
            }
        }
    }

    fn entry_header(
        &self,
        block: &[u8; BLOCK],
        typeflag: u8,
        size: u64,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
        pax: Pax,
    ) -> Result<TarHeader, TarError> {
        let path = match (pax.path, long_name) {
            (Some(p), _) => p,
            (None, Some(p)) => p,
            (None, None) => ustar_name(block),
        };
        let link = match (pax.link, long_link) {
            (Some(l), _) => l,
            (None, Some(l)) => l,
            (None, None) => field_bytes(&block[157..257]).to_vec(),
        };
        let mode = parse_number(&block[100..108]).unwrap_or(0);
        let uid = pax
            .uid
            .or_else(|| parse_number(&block[108..116]))
            .unwrap_or(0);
        let gid = pax
            .gid
            .or_else(|| parse_number(&block[116..124]))
            .unwrap_or(0);
        let size = pax.size.unwrap_or(size);
        let kind = match typeflag {
            b'0' | 0 | b'7' | b'S' => {
                // Pre-POSIX archives mark directories by a trailing slash only.
                if path.ends_with(b"/") && typeflag != b'S' {
                    TarKind::Dir
                } else {
                    TarKind::File
                }
            }
            b'1' => TarKind::HardLink,
            b'2' => TarKind::Symlink,
            b'5' | b'D' => TarKind::Dir,
            _ => TarKind::Other,
        };
        // Links, directories and devices carry no data even if a size is declared... except
        // that the bytes are still in the archive: keep the declared size for skipping.
        Ok(TarHeader {
            path,
            link,
            kind,
            mode: u32::try_from(mode & 0o7777_7777).unwrap_or(0),
            uid: u32::try_from(uid).unwrap_or(u32::MAX),
            gid: u32::try_from(gid).unwrap_or(u32::MAX),
            size,
        })
    }

    /// Reads up to `buf.len()` bytes of the current entry's data; 0 at its end.
    pub fn read_data(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.reader.read(&mut buf[..want])?;
        if n == 0 {
            return Err(TarError::Truncated);
        }
        self.remaining -= n as u64;
        Ok(n)
    }

    /// Skips whatever data and padding of the current entry is left.
    fn skip_rest(&mut self) -> Result<(), TarError> {
        let mut left = self.remaining + self.padding;
        while left > 0 {
            let want = self
                .scratch
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = self.reader.read(&mut self.scratch[..want])?;
            if n == 0 {
                return Err(TarError::Truncated);
            }
            left -= n as u64;
        }
        self.remaining = 0;
        self.padding = 0;
        Ok(())
    }

    /// Reads one block; `false` on a clean end of stream before its first byte.
    fn read_block(&mut self, block: &mut [u8; BLOCK]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < BLOCK {
            let n = self.reader.read(&mut block[filled..])?;
            if n == 0 {
                return if filled == 0 {
                    Ok(false)
                } else {
                    Err(TarError::Truncated)
                };
            }
            filled += n;
        }
        Ok(true)
    }

    /// Reads a small entry (long name, PAX records) whole, padding included.
    fn read_small(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        let len = usize::try_from(size).map_err(|_| corrupt("an oversized header"))?;
        let mut value = vec![0u8; len];
        self.reader.read_exact(&mut value)?;
        self.remaining = 0;
        self.padding = padding_of(size);
        self.skip_rest()?;
        Ok(value)
    }
}

fn corrupt(why: &str) -> TarError {
    TarError::Corrupt(why.to_string())
}

fn padding_of(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

fn trim_nul(value: &mut Vec<u8>) {
    while value.last() == Some(&0) {
        value.pop();
    }
}

/// A NUL-terminated field.
fn field_bytes(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The name, with the ustar prefix when the header is POSIX ustar (GNU headers use that
/// space for other fields).
fn ustar_name(block: &[u8; BLOCK]) -> Vec<u8> {
    let name = field_bytes(&block[0..100]);
    let posix = &block[257..263] == b"ustar\0";
    let prefix = if posix {
        field_bytes(&block[345..500])
    } else {
        &[]
    };
    if prefix.is_empty() {
        name.to_vec()
    } else {
        let mut full = Vec::with_capacity(prefix.len() + 1 + name.len());
        full.extend_from_slice(prefix);
        full.push(b'/');
        full.extend_from_slice(name);
        full
    }
}

/// Octal (NUL/space padded) or base-256 (high bit of the first byte set).
fn parse_number(field: &[u8]) -> Option<u64> {
    if let Some(&first) = field.first()
        && first & 0x80 != 0
    {
        if first & 0x40 != 0 {
            return None; // negative
        }
        let mut value: u64 = u64::from(first & 0x3f);
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let text = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

fn verify_checksum(block: &[u8; BLOCK]) -> Result<(), TarError> {
    let stored =
        parse_number(&block[148..156]).ok_or_else(|| corrupt("bad header checksum field"))?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed) {
        Ok(())
    } else {
        Err(corrupt("a header checksum does not match"))
    }
}

#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
}

impl Pax {
    fn any(&self) -> bool {
        self.path.is_some() || self.link.is_some() || self.size.is_some()
    }

    /// Records are `LEN KEY=VALUE\n`, LEN counting the whole record.
    fn parse(&mut self, mut records: &[u8]) -> Result<(), TarError> {
        while !records.is_empty() {
            if records.iter().all(|&b| b == 0) {
                break;
            }
            let space = records
                .iter()
                .position(|&b| b == b' ')
                .ok_or_else(|| corrupt("a PAX record without a length"))?;
            let len: usize = std::str::from_utf8(&records[..space])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| corrupt("a PAX record with a bad length"))?;
            if len <= space + 1 || len > records.len() {
                return Err(corrupt("a PAX record with a bad length"));
            }
            let record = &records[space + 1..len];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            if let Some(eq) = record.iter().position(|&b| b == b'=') {
                let (key, value) = (&record[..eq], &record[eq + 1..]);
                let number = || {
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                };
                match key {
                    b"path" => self.path = Some(value.to_vec()),
                    b"linkpath" => self.link = Some(value.to_vec()),
                    b"size" => self.size = Some(number().ok_or_else(|| corrupt("a bad PAX size"))?),
                    b"uid" => self.uid = number(),
                    b"gid" => self.gid = number(),
                    _ => {}
                }
            }
            records = &records[len..];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, typeflag: u8, size: u64) -> [u8; BLOCK] {
        let mut block = [0u8; BLOCK];
        block[..name.len()].copy_from_slice(name.as_bytes());
        block[100..107].copy_from_slice(b"0000644");
        block[108..115].copy_from_slice(b"0000001");
        block[116..123].copy_from_slice(b"0000002");
        let size_text = format!("{size:011o}");
        block[124..135].copy_from_slice(size_text.as_bytes());
        block[156] = typeflag;
        block[257..263].copy_from_slice(b"ustar\0");
        block[263..265].copy_from_slice(b"00");
        let sum: u64 = block.iter().map(|&b| u64::from(b)).sum::<u64>() + 8 * u64::from(b' ');
        let text = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(text.as_bytes());
        block
    }

    fn archive(entries: &[([u8; BLOCK], Vec<u8>)], end: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for (h, data) in entries {
            out.extend_from_slice(h);
            out.extend_from_slice(data);
            out.resize(out.len() + padding_of(data.len() as u64) as usize, 0);
        }
        if end {
            out.extend_from_slice(&[0u8; 1024]);
        }
        out
    }

    fn headers(bytes: &[u8]) -> Result<Vec<TarHeader>, TarError> {
        let mut scanner = TarScanner::new(bytes);
        let mut out = Vec::new();
        while let Some(h) = scanner.next_header()? {
            out.push(h);
        }
        Ok(out)
    }

    #[test]
    fn reads_headers_and_skips_data() {
        let bytes = archive(
            &[
                (header("etc/", b'5', 0), vec![]),
                (header("etc/passwd", b'0', 700), vec![b'x'; 700]),
                (header("bin/sh", b'2', 0), vec![]),
            ],
            true,
        );
        let got = headers(&bytes).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].kind, TarKind::Dir);
        assert_eq!(
            (got[1].size, got[1].uid, got[1].gid, got[1].mode),
            (700, 1, 2, 0o644)
        );
        assert_eq!(got[2].kind, TarKind::Symlink);
    }

    #[test]
    fn gnu_long_names_and_pax_paths_override_the_header() {
        let long = "d/".repeat(2000) + "file";
        let mut pax = Vec::new();
        let record = format!("path={}\n", "p/".repeat(10) + "x");
        let len = record.len() + 3; // "NN " prefix
        assert_eq!(len.to_string().len(), 2);
        pax.extend_from_slice(format!("{len} {record}").as_bytes());
        let bytes = archive(
            &[
                (header("././@LongLink", b'L', long.len() as u64 + 1), {
                    let mut v = long.clone().into_bytes();
                    v.push(0);
                    v
                }),
                (header("short", b'0', 0), vec![]),
                (header("pax", b'x', pax.len() as u64), pax),
                (header("ignored", b'0', 3), b"abc".to_vec()),
            ],
            true,
        );
        let got = headers(&bytes).unwrap();
        assert_eq!(got[0].path, long.as_bytes());
        assert_eq!(got[1].path, ("p/".repeat(10) + "x").as_bytes());
        assert_eq!(got[1].size, 3);
    }

    #[test]
    fn truncation_inside_data_or_header_is_an_error() {
        let bytes = archive(&[(header("f", b'0', 700), vec![1; 700])], true);
        assert_eq!(headers(&bytes[..900]), Err(TarError::Truncated));
        assert_eq!(headers(&bytes[..300]), Err(TarError::Truncated));
        // Cut at the block boundary after an entry: accepted like Go's reader does.
        assert_eq!(headers(&bytes[..1536]).unwrap().len(), 1);
    }

    #[test]
    fn a_bad_checksum_is_corrupt() {
        let mut bytes = archive(&[(header("f", b'0', 0), vec![])], true);
        bytes[5] ^= 0x55;
        assert!(matches!(headers(&bytes), Err(TarError::Corrupt(_))));
    }

    #[test]
    fn oversized_long_names_are_refused_without_reading_them() {
        let bytes = archive(&[(header("././@LongLink", b'L', 1 << 32), vec![])], false);
        assert!(matches!(headers(&bytes), Err(TarError::Corrupt(_))));
    }

    #[test]
    fn base256_numbers() {
        let mut field = [0u8; 12];
        field[0] = 0x80;
        field[10] = 1;
        field[11] = 2;
        assert_eq!(parse_number(&field), Some(258));
    }
}
