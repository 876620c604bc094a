//! A small binary codec for the badge index: varint lengths and numbers, UTF-8 strings,
//! so a large org's index stays compact on the wire and in IndexedDB.

/// Why bytes are not a valid index or delta.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("not a crmsync index (bad magic bytes)")]
    BadMagic,
    #[error("index format {0} is not supported by this version of crmsync (expected {1}); refresh the extension")]
    UnsupportedFormat(u32, u32),
    #[error("the index is truncated at byte {0}")]
    Truncated(usize),
    #[error("the index has invalid text at byte {0}")]
    InvalidText(usize),
    #[error("the index has an invalid value at byte {at}: {what}")]
    Invalid { at: usize, what: String },
}

/// Appends encoded values.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }

    pub fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub fn raw(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }

    /// A column of strings: with a dictionary when values repeat (cities, companies,
    /// owners: each then costs a small index), else each string in full. Columns keep
    /// like values together, which is what makes the gzip on the wire effective.
    pub fn column<'s>(&mut self, values: &[&'s str]) {
        let mut codes: std::collections::HashMap<&'s str, u64> = std::collections::HashMap::new();
        let mut dictionary: Vec<&'s str> = Vec::new();
        let indexes: Vec<u64> = values
            .iter()
            .map(|v| {
                *codes.entry(v).or_insert_with(|| {
                    dictionary.push(v);
                    dictionary.len() as u64 - 1
                })
            })
            .collect();
        if dictionary.len() * 2 <= values.len() {
            self.varint(1);
            self.varint(dictionary.len() as u64);
            for d in &dictionary {
                self.str(d);
            }
            for i in indexes {
                self.varint(i);
            }
        } else {
            self.varint(0);
            for v in values {
                self.str(v);
            }
        }
    }
}

/// Reads encoded values, reporting where the input went wrong.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(CodecError::Truncated(self.pos))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub fn varint(&mut self) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.pos).ok_or(CodecError::Truncated(self.pos))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError::Invalid { at: self.pos, what: "varint too long".into() })
    }

    /// A length or count, bounded by the bytes left so hostile input cannot allocate much.
    pub fn count(&mut self) -> Result<usize, CodecError> {
        let at = self.pos;
        let n = self.varint()?;
        if n > (self.bytes.len() - self.pos) as u64 * 8 + 8 {
            return Err(CodecError::Truncated(at));
        }
        Ok(n as usize)
    }

    pub fn str(&mut self) -> Result<String, CodecError> {
        let n = self.count()?;
        let at = self.pos;
        let raw = self.raw(n)?;
        String::from_utf8(raw.to_vec()).map_err(|_| CodecError::InvalidText(at))
    }

    pub fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }

    /// `n` strings written by [`Writer::column`].
    pub fn column(&mut self, n: usize) -> Result<Vec<String>, CodecError> {
        let at = self.pos;
        match self.varint()? {
            0 => (0..n).map(|_| self.str()).collect(),
            1 => {
                let dictionary = (0..self.count()?).map(|_| self.str()).collect::<Result<Vec<_>, _>>()?;
                (0..n)
                    .map(|_| {
                        let at = self.pos;
                        let i = self.varint()?;
                        dictionary.get(i as usize).cloned().ok_or_else(|| CodecError::Invalid {
                            at,
                            what: format!("dictionary index {i} of {}", dictionary.len()),
                        })
                    })
                    .collect()
            }
            other => Err(CodecError::Invalid { at, what: format!("column layout {other}") }),
        }
    }

    /// `n` numbers (a column of varints).
    pub fn numbers(&mut self, n: usize) -> Result<Vec<u64>, CodecError> {
        (0..n).map(|_| self.varint()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_with_and_without_a_dictionary() {
        let repeated = ["London", "Paris", "London", "London", "", "Paris"];
        let distinct = ["a", "b", "c"];
        let mut w = Writer::default();
        w.column(&repeated);
        w.column(&distinct);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.column(6).unwrap(), repeated);
        assert_eq!(r.column(3).unwrap(), distinct);
        assert!(r.done());
        // A dictionary index out of range is an error, not a panic.
        let mut w = Writer::default();
        w.varint(1);
        w.varint(1);
        w.str("x");
        w.varint(5);
        assert!(matches!(Reader::new(&w.bytes).column(1), Err(CodecError::Invalid { .. })));
    }

    #[test]
    fn varint_and_str_round_trip() {
        let mut w = Writer::default();
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            w.varint(v);
        }
        w.str("Jürgen");
        let mut r = Reader::new(&w.bytes);
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        assert_eq!(r.str().unwrap(), "Jürgen");
        assert!(r.done());
    }

    #[test]
    fn truncated_and_hostile_lengths_are_errors() {
        let mut w = Writer::default();
        w.str("hello");
        let cut = &w.bytes[..3];
        assert_eq!(Reader::new(cut).str(), Err(CodecError::Truncated(1)));
        let mut huge = Writer::default();
        huge.varint(u64::MAX / 2);
        assert!(matches!(Reader::new(&huge.bytes).count(), Err(CodecError::Truncated(0))));
    }
}
