//! Unicode folding: one comparable ASCII form for every name, company and place, so
//! "Jürgen Müller" and "JURGEN MULLER" are equal (diacritics are dropped, as people do
//! when they type a name without them), and Cyrillic or Greek spellings meet their
//! usual Latin transliteration.

/// Latin letters with diacritics and ligatures, Cyrillic (Russian, Ukrainian, Bulgarian)
/// and Greek, to their usual ASCII transliteration (lower case).
fn transliterate(c: char) -> Option<&'static str> {
    latin(c).or_else(|| cyrillic(c)).or_else(|| greek(c))
}

/// Latin letters with diacritics, and ligatures.
fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ā' | 'ă' | 'ą' | 'å' | 'ä' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ō' | 'ŏ' | 'ő' | 'ö' | 'ø' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ü' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Russian, Ukrainian and Bulgarian letters, as passports spell them.
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// Greek letters, with and without accents.
fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => return None,
    })
}

/// Lower-cases, transliterates to ASCII, turns punctuation into spaces (apostrophes and
/// periods vanish, so "O'Brien" → "obrien", "J.P." → "jp"), and collapses whitespace.
/// Characters with no transliteration (CJK, Arabic …) are kept as they are.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    if input.is_ascii() {
        // Most names, companies and places: lower case is per byte, nothing to
        // transliterate, and no copy of the input is made first.
        for b in input.bytes() {
            fold_char(&mut out, &mut pending_space, char::from(b.to_ascii_lowercase()));
        }
        return out;
    }
    let mut lowered = input.to_lowercase();
    if lowered.contains('ο') {
        // Greek "ου" is one sound, written "ou".
        lowered = lowered.replace("ου", "ou").replace("ού", "ou");
    }
    for c in lowered.chars() {
        fold_char(&mut out, &mut pending_space, c);
    }
    out
}

/// Appends one lower-case character's folded form.
fn fold_char(out: &mut String, pending_space: &mut bool, c: char) {
    if c.is_ascii_alphanumeric() {
        push(out, pending_space, c);
    } else if c == '\'' || c == '’' || c == '.' || c == '`' || c == '´' {
        // joined: "o'brien", "j.p."
    } else if c.is_whitespace() || c.is_ascii_punctuation() || c.is_control() || is_dash_or_quote(c) {
        *pending_space = !out.is_empty();
    } else if let Some(ascii) = transliterate(c) {
        for a in ascii.chars() {
            push(out, pending_space, a);
        }
    } else if c.is_alphanumeric() {
        push(out, pending_space, c);
    } else {
        *pending_space = !out.is_empty();
    }
}

fn push(out: &mut String, pending_space: &mut bool, c: char) {
    if *pending_space {
        out.push(' ');
        *pending_space = false;
    }
    out.push(c);
}

fn is_dash_or_quote(c: char) -> bool {
    matches!(c, '–' | '—' | '‐' | '‑' | '“' | '”' | '„' | '«' | '»' | '·' | '•' | '|' | '\u{a0}')
}

/// `fold`, then split into tokens.
pub fn tokens(input: &str) -> Vec<String> {
    fold(input).split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_accents_and_ligatures() {
        assert_eq!(fold("Jürgen Müller"), "jurgen muller");
        assert_eq!(fold("  François   Ørsted-Ståhl "), "francois orsted stahl");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ŁÓDŹ"), "lodz");
    }

    #[test]
    fn fold_cyrillic_and_greek() {
        assert_eq!(fold("Дмитрий Шостакович"), "dmitriy shostakovich");
        assert_eq!(fold("Γιώργος Παπαδόπουλος"), "giorgos papadopoulos");
    }

    #[test]
    fn fold_punctuation() {
        assert_eq!(fold("O'Brien, J.P."), "obrien jp");
        assert_eq!(fold("AT&T Inc."), "at t inc");
        assert_eq!(fold(""), "");
        assert_eq!(fold("株式会社 ソニー"), "株式会社 ソニー");
    }
}
