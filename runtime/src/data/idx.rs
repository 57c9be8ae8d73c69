//! IDX files, the format of the MNIST family, plain or gzip-compressed: two zero bytes, a type
//! byte (0x08, unsigned bytes, is the one these data sets use), the rank, each dimension as a
//! big-endian u32, then the values.

use std::io::Read;
use std::path::Path;

use crate::error::RunError;

/// The contents of an IDX file of unsigned bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Idx {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// Reads and checks `path`; a gzip file (by its magic bytes) is decompressed first.
pub fn read(path: &Path) -> Result<Idx, RunError> {
    let fail = |problem: String| RunError::Data {
        path: path.display().to_string(),
        problem,
    };
    let raw = std::fs::read(path).map_err(|e| fail(format!("cannot be read: {e}")))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = vec![];
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("is not valid gzip: {e}")))?;
        out
    } else {
        raw
    };
    parse(&bytes).map_err(fail)
}

/// Parses the bytes of an IDX file; the error says what is wrong.
pub fn parse(bytes: &[u8]) -> Result<Idx, String> {
    if bytes.len() < 4 {
        return Err(format!("is {} bytes long, shorter than an IDX header", bytes.len()));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(format!(
            "does not start with an IDX magic number (found {:02x} {:02x})",
            bytes[0], bytes[1]
        ));
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "holds values of type 0x{:02x}; only unsigned bytes (0x08) are read",
            bytes[2]
        ));
    }
    let rank = bytes[3] as usize;
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(format!(
            "is truncated inside its header ({rank} dimensions need {header} bytes)"
        ));
    }
    let dims: Vec<usize> = (0..rank)
        .map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap_or([0; 4])) as usize)
        .collect();
    let want = dims.iter().product::<usize>();
    let found = bytes.len() - header;
    if found < want {
        return Err(format!(
            "is truncated: dimensions {dims:?} need {want} bytes of data, found {found}"
        ));
    }
    if found > want {
        return Err(format!(
            "has {} bytes after the {want} its dimensions {dims:?} announce",
            found - want
        ));
    }
    Ok(Idx {
        dims,
        data: bytes[header..].to_vec(),
    })
}

/// The bytes of an IDX file of unsigned bytes with `dims` (for tests and tools).
pub fn encode(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&(*d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_file_round_trips() {
        let data: Vec<u8> = (0..24).collect();
        let idx = parse(&encode(&[2, 3, 4], &data)).expect("parses");
        assert_eq!(idx.dims, vec![2, 3, 4]);
        assert_eq!(idx.data, data);
    }

    #[test]
    fn malformed_files_say_what_is_wrong() {
        let good = encode(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let cases: [(Vec<u8>, &str); 5] = [
            (good[..3].to_vec(), "shorter than an IDX header"),
            ([&[1u8, 0][..], &good[2..]].concat(), "magic number"),
            ([&[0u8, 0, 0x0d][..], &good[3..]].concat(), "type 0x0d"),
            (good[..good.len() - 2].to_vec(), "need 6 bytes of data, found 4"),
            ([&good[..], &[9u8][..]].concat(), "1 bytes after"),
        ];
        for (bytes, says) in cases {
            let err = parse(&bytes).expect_err(says);
            assert!(err.contains(says), "{err:?} should say {says:?}");
        }
    }
}
