//! Name matching for the duplicate check (issue 3): before a client is registered, staff search by
//! name and date of birth, and a likely duplicate is flagged when one is created.
//!
//! The same person reaches the agency spelled in many ways: «Олександр Шевченко» on a Ukrainian
//! form, "Oleksandr Shevchenko" (Ukrainian national transliteration, 2010), "Aleksandr Shevchenko"
//! (the Russian form of the name, Russian passport rules), "OLEKSANDR ŠEVČENKO" (Czech scholarly
//! transliteration, capitals from a document), "Shevchenko Oleksandr" (surname first, as Ukrainian
//! registers write it). A key that all of them share is built in three steps:
//!
//! 1. **Letters** ([`fold`]): lowercase; Cyrillic (Ukrainian, Russian, Belarusian ў) to Latin;
//!    Latin diacritics stripped (á→a, ř→r, ů→u, ł→l, ß→ss …) except the carons that spell
//!    Cyrillic sounds (š, č, ž are ш, ч, ж); soft and hard signs and apostrophes removed; every
//!    other character separates words.
//! 2. **Sounds** ([`fold`]): the Latin spellings of one Cyrillic sound become one symbol:
//!    sh/sz/š = ш, ch/cz/tch/č = ч, zh/ž = ж, shch/szcz/šč = щ, ts/tz/c = ц, and г/ґ/х (h, g, kh) one
//!    symbol; y/i/j (и, і, ї, й, ы) one symbol; ie/ye/je = e (є, е, э); x = ks, w = v, q = k,
//!    ph = f; doubled letters count once. The result is written back in plain Latin
//!    (`shevchenko`), and the step is repeated until the spelling no longer changes, so a key
//!    folds to itself.
//! 3. **Name forms** ([`name_key`]): a word that is a known form of a first name (Олександр,
//!    Александр, Alexander) is replaced by one form of its group (see [`NAME_FORMS`]); the words
//!    are sorted, so their order does not matter.
//!
//! [`match_keys`] then compares two keys: equal keys are an exact match; keys that differ in one
//! word of at least five letters by one edit ("oleksandr" / "oleksander"), or where one name has
//! one word more than the other of at least two words (a patronymic: "Oleksandr Petrovych
//! Shevchenko"), are similar. Different names stay apart: Шевченко / Шевчук, Olena / Oleh.
//!
//! Known limits: Czech and Polish "ch" (х) is read as English "ch" (ч); Russian ё written "yo" by
//! hand ("Fyodor") matches the passport's "e" only for the names in the table; Ukrainian and
//! Russian surname forms that differ in a vowel (Петрів / Петров) do not match beyond one edit.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The folded spelling of a name: words in their original order, separated by one space.
///
/// Idempotent (`fold(&fold(x)) == fold(x)`) and case-insensitive.
pub fn fold(name: &str) -> String {
    latin(name)
        .split_whitespace()
        .map(fold_word)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The match key of a full name: folded words, first-name forms unified, sorted, one space apart.
/// Empty when the name has no letters or digits.
pub fn name_key(full_name: &str) -> String {
    key_words(full_name).join(" ")
}

/// The words of [`name_key`], sorted.
pub fn key_words(full_name: &str) -> Vec<String> {
    let mut words: Vec<String> = fold(full_name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| canonical_form(w).to_owned())
        .collect();
    words.sort();
    words
}

/// How closely two names match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameMatch {
    /// The same key.
    Exact,
    /// One word differs by one edit, or one name has one word (a patronymic) more.
    Similar,
}

impl NameMatch {
    pub const fn code(self) -> &'static str {
        match self {
            NameMatch::Exact => "exact",
            NameMatch::Similar => "similar",
        }
    }
}

/// Replaces in free text every word that is a form of a word of the names to `hide` (any script,
/// any case, with up to three letters of inflection: "Івана", "Тарасові") with `replacement`.
/// Words the names to `keep` share (the subject's own surname) stay, and so do words under three
/// letters. For a family member's own export: the others' names leave the text, theirs stays.
pub fn redact_names(text: &str, hide: &[&str], keep: &[&str], replacement: &str) -> String {
    let words_of = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| fold(n).split(' ').map(str::to_owned).collect::<Vec<_>>())
            .filter(|w| w.chars().count() >= 3)
            .collect()
    };
    let kept = words_of(keep);
    let hidden: Vec<String> = words_of(hide)
        .into_iter()
        .filter(|w| !kept.contains(w))
        .collect();
    if hidden.is_empty() {
        return text.to_owned();
    }
    let is_hidden = |word: &str| {
        let folded = fold(word);
        hidden.iter().any(|h| {
            folded == *h
                || (h.chars().count() >= 4
                    && folded.starts_with(h.as_str())
                    && folded.chars().count() <= h.chars().count() + 3
                    && !kept.contains(&folded))
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            if is_hidden(word) {
                out.push_str(replacement);
            } else {
                out.push_str(word);
            }
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' || c == '’' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Outside the caller's scope a possible match is reported only on the exact name and the full
/// date of birth, both known and equal: a similar name, or a missing date, would let anyone learn
/// by trial who is a client elsewhere (a shelter, say).
pub fn reported_outside_scope(name_match: NameMatch, same_date_of_birth: bool) -> bool {
    name_match == NameMatch::Exact && same_date_of_birth
}

/// The per-caller cap on duplicate searches: `recent` are the caller's searches in the hour before
/// `now`, oldest first. `Err(seconds)` says how long until the oldest leaves the window.
pub fn check_search_budget(
    recent: &[chrono::NaiveDateTime],
    now: chrono::NaiveDateTime,
    per_hour: u32,
) -> Result<(), u64> {
    if recent.len() < per_hour as usize {
        return Ok(());
    }
    let oldest = recent.first().copied().unwrap_or(now);
    let frees_at = oldest + chrono::Duration::hours(1);
    Err(u64::try_from((frees_at - now).num_seconds())
        .unwrap_or(0)
        .max(1))
}

/// Whether two full names are likely the same person's.
pub fn similar(a: &str, b: &str) -> bool {
    match_keys(&name_key(a), &name_key(b)).is_some()
}

/// Compares two keys made by [`name_key`] (e.g. as stored).
pub fn match_keys(a: &str, b: &str) -> Option<NameMatch> {
    let a: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let b: Vec<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (only_a, only_b) = difference(&a, &b);
    match (only_a.as_slice(), only_b.as_slice()) {
        ([], []) => Some(NameMatch::Exact),
        ([x], [y]) if x.chars().count() >= 5 && y.chars().count() >= 5 && edits(x, y) <= 1 => {
            Some(NameMatch::Similar)
        }
        // One more word (a patronymic or a second given name) on one side, the rest the same.
        ([_], []) if b.len() >= 2 => Some(NameMatch::Similar),
        ([], [_]) if a.len() >= 2 => Some(NameMatch::Similar),
        _ => None,
    }
}

/// The blocking keys of the duplicate check's index: what a stored name is filed under, and what
/// a search looks up ([`probe_keys`]). Whenever [`match_keys`] matches two names, the probe keys
/// of either meet the index keys of the other, so the check reads candidates by key instead of by
/// word, and its cost follows the number of people of *nearly the same name*, not the number
/// sharing a surname (or a surname and a patronymic). Keys, for a name of words `W`:
///
/// - `f:W`, the whole name (an exact match; a name of one word more, whose `s:` keys hold `W`);
/// - `s:W−w` for each word `w` (found by a name of one word fewer, whose `f:` key it is);
/// - `e:W−w|v` for each word `w` and each `v` among `w` and its one-letter deletions when `w` has
///   at least five letters (names of as many words that differ in `w` by one edit meet here: a
///   substitution deletes to the same text on both sides, an insertion to the other word).
pub fn index_keys(key: &str) -> std::collections::BTreeSet<String> {
    let words = sorted_words(key);
    let mut keys = std::collections::BTreeSet::new();
    if words.is_empty() {
        return keys;
    }
    keys.insert(format!("f:{}", words.join(" ")));
    for i in 0..words.len() {
        let rest = without(&words, i);
        if !rest.is_empty() {
            keys.insert(format!("s:{rest}"));
        }
    }
    keys.extend(edit_keys(&words));
    keys
}

/// The keys a search for this name looks up in the index of [`index_keys`].
pub fn probe_keys(key: &str) -> std::collections::BTreeSet<String> {
    let words = sorted_words(key);
    let mut keys = std::collections::BTreeSet::new();
    if words.is_empty() {
        return keys;
    }
    let whole = words.join(" ");
    keys.insert(format!("f:{whole}"));
    keys.insert(format!("s:{whole}"));
    for i in 0..words.len() {
        let rest = without(&words, i);
        if !rest.is_empty() {
            keys.insert(format!("f:{rest}"));
        }
    }
    keys.extend(edit_keys(&words));
    keys
}

fn sorted_words(key: &str) -> Vec<&str> {
    let mut words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words
}

/// The words but the `i`-th, one space apart.
fn without(words: &[&str], i: usize) -> String {
    words
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, w)| *w)
        .collect::<Vec<_>>()
        .join(" ")
}

fn edit_keys(words: &[&str]) -> Vec<String> {
    let mut keys = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let rest = without(words, i);
        let chars: Vec<char> = word.chars().collect();
        keys.push(format!("e:{rest}|{word}"));
        if chars.len() >= 5 {
            for skip in 0..chars.len() {
                let variant: String = chars
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != skip)
                    .map(|(_, c)| *c)
                    .collect();
                keys.push(format!("e:{rest}|{variant}"));
            }
        }
    }
    keys
}

/// The words of each side that the other lacks (as multisets).
fn difference<'a>(a: &[&'a str], b: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut only_b: Vec<&str> = b.to_vec();
    let mut only_a = Vec::new();
    for word in a {
        match only_b.iter().position(|w| w == word) {
            Some(i) => {
                only_b.swap_remove(i);
            }
            None => only_a.push(*word),
        }
    }
    (only_a, only_b)
}

/// Levenshtein distance in characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let value = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            current.push(value);
        }
        previous = current;
    }
    previous[b.len()]
}

// ---------------------------------------------------------------------------------------------
// Step 1: letters
// ---------------------------------------------------------------------------------------------

/// Lowercase Latin letters (š, č, ž kept), digits and other letters, words split by one space.
fn latin(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if is_combining(c) {
            // Decomposed input: a caron on s, c or z spells ш, ч, ж; other marks are dropped.
            if c == '\u{030C}' {
                let composed = match out.chars().last() {
                    Some('s') => Some('š'),
                    Some('c') => Some('č'),
                    Some('z') => Some('ž'),
                    _ => None,
                };
                if let Some(composed) = composed {
                    out.pop();
                    out.push(composed);
                }
            }
            continue;
        }
        if is_apostrophe(c) {
            continue;
        }
        match letter(c) {
            Some(latin) => out.push_str(latin),
            None if c.is_alphanumeric() => out.push(c),
            None => out.push(' '),
        }
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | 'ʹ' | 'ʻ' | 'ʽ' | 'ꞌ'
    )
}

/// The Latin spelling of one lowercase letter, or `None` when it stays as it is (ASCII letters and
/// digits, letters of other scripts) or is not a letter.
fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'a'..='z' | '0'..='9' | 'š' | 'č' | 'ž' => return None,
        // Cyrillic: Ukrainian, Russian, Belarusian ў.
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'х' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' | 'э' | 'ё' => "e",
        'є' => "ie",
        'ж' => "ž",
        'з' => "z",
        'и' | 'ы' => "y",
        'і' => "i",
        'ї' => "yi",
        'й' => "j",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'ц' => "c",
        'ч' => "č",
        'ш' => "š",
        'щ' => "šč",
        'ъ' | 'ь' => "",
        'ю' => "ju",
        'я' => "ja",
        // Latin with diacritics (Czech, Slovak, Polish, German, …).
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'ș' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' => "z",
        // Polish ż is ж.
        'ż' => "ž",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Step 2: sounds
// ---------------------------------------------------------------------------------------------

/// One sound of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sound {
    A,
    B,
    V,
    /// г, ґ, х: h, g, kh.
    H,
    D,
    /// е, є, э: e, ie, ye, je.
    E,
    Zh,
    Z,
    /// и, і, ї, й, ы: i, y, j.
    I,
    K,
    L,
    M,
    N,
    O,
    P,
    R,
    S,
    T,
    U,
    F,
    Ts,
    Ch,
    Sh,
    Shch,
    /// A letter of another script, or a digit, kept as it is.
    Other(char),
}

impl Sound {
    fn spelling(self, out: &mut String) {
        let s = match self {
            Sound::A => "a",
            Sound::B => "b",
            Sound::V => "v",
            Sound::H => "h",
            Sound::D => "d",
            Sound::E => "e",
            Sound::Zh => "zh",
            Sound::Z => "z",
            Sound::I => "i",
            Sound::K => "k",
            Sound::L => "l",
            Sound::M => "m",
            Sound::N => "n",
            Sound::O => "o",
            Sound::P => "p",
            Sound::R => "r",
            Sound::S => "s",
            Sound::T => "t",
            Sound::U => "u",
            Sound::F => "f",
            Sound::Ts => "ts",
            Sound::Ch => "ch",
            Sound::Sh => "sh",
            Sound::Shch => "shch",
            Sound::Other(c) => {
                out.push(c);
                return;
            }
        };
        out.push_str(s);
    }
}

/// Folds one word until its spelling is stable: writing the sounds back in Latin can form a new
/// digraph ("s" + "h" is read "sh" next time), so the fixed point is the key.
fn fold_word(word: &str) -> String {
    let mut current = word.to_owned();
    for _ in 0..8 {
        let next = spell(&simplify(sounds(&current)));
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// Reads a word's sounds, longest spelling first.
fn sounds(word: &str) -> Vec<Sound> {
    use Sound::*;
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let starts = |s: &str| {
            let mut n = 0;
            for (k, c) in s.chars().enumerate() {
                if rest.get(k) != Some(&c) {
                    return false;
                }
                n += 1;
            }
            n > 0
        };
        let (sound, width) = if starts("shch") || starts("szcz") {
            (Shch, 4)
        } else if starts("tch") {
            (Ch, 3)
        } else if starts("šč") {
            (Shch, 2)
        } else if starts("sh") || starts("sz") {
            (Sh, 2)
        } else if starts("zh") {
            (Zh, 2)
        } else if starts("ch") || starts("cz") {
            (Ch, 2)
        } else if starts("kh") {
            (H, 2)
        } else if starts("ts") || starts("tz") {
            (Ts, 2)
        } else if starts("ph") {
            (F, 2)
        } else {
            let c = rest[0];
            let sound = match c {
                'a' => A,
                'b' => B,
                'v' | 'w' => V,
                'g' | 'h' => H,
                'd' => D,
                'e' => E,
                'ž' => Zh,
                'z' => Z,
                'i' | 'y' | 'j' => I,
                'k' | 'q' => K,
                'l' => L,
                'm' => M,
                'n' => N,
                'o' => O,
                'p' => P,
                'r' => R,
                's' => S,
                't' => T,
                'u' => U,
                'f' => F,
                'c' => Ts,
                'č' => Ch,
                'š' => Sh,
                'x' => {
                    out.push(K);
                    S
                }
                other => Other(other),
            };
            (sound, 1)
        };
        out.push(sound);
        i += width;
    }
    out
}

/// Doubled sounds count once; i before e is the e of є, ye, je.
fn simplify(mut sounds: Vec<Sound>) -> Vec<Sound> {
    sounds.dedup();
    let mut out: Vec<Sound> = Vec::with_capacity(sounds.len());
    for s in sounds {
        if s == Sound::E && out.last() == Some(&Sound::I) {
            out.pop();
        }
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

fn spell(sounds: &[Sound]) -> String {
    let mut out = String::with_capacity(sounds.len() + 4);
    for s in sounds {
        s.spelling(&mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Step 3: name forms
// ---------------------------------------------------------------------------------------------

/// Forms of one first name (Ukrainian, Russian, Czech, Polish, and Latin spellings that fold
/// differently). Each group's first entry is the form the key uses. Forms that already fold
/// alike (Іван / Иван / Ivan, Ольга / Olga, Юрій / Юрий) need no entry, but some are listed to
/// document them.
pub const NAME_FORMS: &[&[&str]] = &[
    &["Олександр", "Александр", "Alexander", "Oleksander"],
    &["Олександра", "Александра"],
    &["Олексій", "Алексей", "Aleksiej"],
    &["Микола", "Николай", "Mikołaj"],
    &["Дмитро", "Дмитрий"],
    &["Андрій", "Андрей", "Andrzej", "Ondřej"],
    &["Сергій", "Сергей"],
    &["Наталія", "Наталья", "Наталия", "Natalie"],
    &["Ганна", "Анна"],
    &["Катерина", "Екатерина"],
    &["Юрій", "Юрий", "Jiří"],
    &["Євген", "Евгений", "Евгеній", "Євгеній"],
    &["Іван", "Иван"],
    &["Олена", "Елена", "Алена", "Helena"],
    &["Ольга", "Olga"],
    &["Тетяна", "Татьяна"],
    &["Петро", "Пётр", "Pyotr", "Piotr"],
    &["Михайло", "Михаил", "Michał"],
    &["Павло", "Павел", "Paweł"],
    &["Василь", "Василий"],
    &["Володимир", "Владимир", "Włodzimierz"],
    &["Федір", "Фёдор", "Fyodor"],
    &["Світлана", "Светлана"],
    &["Надія", "Надежда"],
    &["Віра", "Вера"],
    &["Яків", "Яков", "Jakub"],
    &["Семен", "Semyon"],
    &["Артем", "Artyom"],
    &["Кирило", "Кирилл"],
    &["Микита", "Никита"],
    &["Матвій", "Матвей"],
    &["Тимофій", "Тимофей"],
    &["Марія", "Мария", "Marie"],
    &["Софія", "София", "Sophia"],
];

fn forms() -> &'static HashMap<String, String> {
    static FORMS: OnceLock<HashMap<String, String>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut map = HashMap::new();
        for group in NAME_FORMS {
            let Some(first) = group.first() else {
                continue;
            };
            let canonical = fold(first);
            for form in group.iter() {
                map.insert(fold(form), canonical.clone());
            }
        }
        map
    })
}

/// The form of its group that the key uses, or the word itself.
fn canonical_form(word: &str) -> &str {
    forms().get(word).map(String::as_str).unwrap_or(word)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use proptest::prelude::*;

    /// Whether a search for `a` finds `b` in the index, and the other way round.
    fn found(a: &str, b: &str) -> (bool, bool) {
        (
            !probe_keys(a).is_disjoint(&index_keys(b)),
            !probe_keys(b).is_disjoint(&index_keys(a)),
        )
    }

    #[test]
    fn a_search_finds_the_names_that_match_by_their_blocking_keys() {
        let both = |a: &str, b: &str| found(&name_key(a), &name_key(b));
        assert_eq!(
            both("Oleksandr Shevchenko", "Aleksandr Ševčenko"),
            (true, true)
        );
        assert_eq!(
            both("Oleksandr Shevchenko", "Oleksander Shevchenko"),
            (true, true)
        );
        assert_eq!(
            both("Oleksandr Petrovych Shevchenko", "Oleksandr Shevchenko"),
            (true, true)
        );
        assert_eq!(both("Shevchenko", "Shevchenka"), (true, true));
        // Sharing a surname, or a surname and a patronymic, is not enough: the check no longer
        // reads every Shevchenko, nor every Ivanivna Shevchenko.
        assert_eq!(both("Olena Shevchenko", "Taras Shevchenko"), (false, false));
        assert_eq!(
            both("Olena Ivanivna Shevchenko", "Oksana Ivanivna Shevchenko"),
            (false, false)
        );
        assert_eq!(
            both("Olena Ivanivna Shevchenko", "Taras Petrovych Shevchenko"),
            (false, false)
        );
    }

    proptest! {
        #[test]
        fn names_that_match_find_each_other_by_their_blocking_keys(
            a in proptest::collection::vec("[abkr]{2,7}", 1..4),
            b in proptest::collection::vec("[abkr]{2,7}", 1..4),
        ) {
            let (ka, kb) = (a.join(" "), b.join(" "));
            if match_keys(&ka, &kb).is_some() {
                prop_assert_eq!(found(&ka, &kb), (true, true), "{} / {}", ka, kb);
            }
        }

        #[test]
        fn a_name_with_one_letter_changed_finds_the_original(
            words in proptest::collection::vec("[a-z]{5,9}", 1..4),
            at in 0usize..9,
            letter in "[a-z]",
        ) {
            let mut edited = words.clone();
            let w: Vec<char> = edited[0].chars().collect();
            let i = at % w.len();
            edited[0] = w.iter().enumerate().map(|(j, c)| if j == i { letter.chars().next().unwrap_or('a') } else { *c }).collect();
            let (ka, kb) = (words.join(" "), edited.join(" "));
            if match_keys(&ka, &kb).is_some() {
                prop_assert_eq!(found(&ka, &kb), (true, true));
            }
        }
    }

    #[test]
    fn a_members_export_loses_the_others_names_in_any_form_and_keeps_their_own() {
        let hide = ["Ivan Shevchenko", "Oksana Shevchenko"];
        let keep = ["Taras Shevchenko"];
        let r = |text: &str| redact_names(text, &hide, &keep, "[another]");
        assert_eq!(r("Ivan hits Taras"), "[another] hits Taras");
        assert_eq!(
            r("Іван б'є Тараса; Оксана мовчить"),
            "[another] б'є Тараса; [another] мовчить"
        );
        assert_eq!(r("Тарас боїться Івана"), "Тарас боїться [another]");
        assert_eq!(r("OKSANA called"), "[another] called");
        // The shared surname is the subject's too; unrelated words stay.
        assert_eq!(r("the Shevchenko flat"), "the Shevchenko flat");
        assert_eq!(r("Ivanov visited"), "[another] visited");
        assert_eq!(r("Invoice sent"), "Invoice sent");
    }

    #[test]
    fn outside_the_scope_only_the_exact_name_and_full_date_of_birth_are_reported() {
        assert!(reported_outside_scope(NameMatch::Exact, true));
        assert!(!reported_outside_scope(NameMatch::Exact, false));
        assert!(!reported_outside_scope(NameMatch::Similar, true));
    }

    #[test]
    fn the_search_budget_frees_up_when_the_oldest_search_leaves_the_hour() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let at = |minutes_ago: i64| now - chrono::Duration::minutes(minutes_ago);
        assert_eq!(check_search_budget(&[at(50), at(10)], now, 3), Ok(()));
        assert_eq!(
            check_search_budget(&[at(50), at(20), at(10)], now, 3),
            Err(600)
        );
    }

    #[test]
    fn the_four_spellings_of_one_name_share_one_key() {
        let spellings = [
            "Олександр Шевченко",
            "Oleksandr Shevchenko",
            "Aleksandr Shevchenko",
            "OLEKSANDR ŠEVČENKO",
            "Александр Шевченко",
            "Shevchenko Oleksandr",
            "ШЕВЧЕНКО Олександр",
            "  oleksandr   shevchenko ",
            "Olexandr Shevtchenko",
            // Decomposed (NFD) carons.
            "Oleksandr S\u{030C}evc\u{030C}enko",
        ];
        let key = name_key(spellings[0]);
        assert_eq!(key, "oleksandr shevchenko");
        for s in spellings {
            assert_eq!(name_key(s), key, "{s}");
            assert_eq!(
                match_keys(&name_key(s), &key),
                Some(NameMatch::Exact),
                "{s}"
            );
            assert!(similar(s, spellings[0]), "{s}");
        }
    }

    #[test]
    fn fold_transliterates_and_folds_letters() {
        let table = [
            ("Шевченко", "shevchenko"),
            ("ŠEVČENKO", "shevchenko"),
            ("Szewczenko", "shevchenko"),
            ("Щербак", "shcherbak"),
            ("Shcherbak", "shcherbak"),
            ("Ščerbak", "shcherbak"),
            ("Szczerbak", "shcherbak"),
            ("Хмельницький", "hmelnitski"),
            ("Khmelnytskyi", "hmelnitski"),
            ("Гнатюк", "hnatiuk"),
            ("Hnatiuk", "hnatiuk"),
            ("Gnatyuk", "hnatiuk"),
            ("Ґалаґан", "halahan"),
            ("Цибулько", "tsibulko"),
            ("Tsybulko", "tsibulko"),
            ("Cybulko", "tsibulko"),
            ("Журба", "zhurba"),
            ("Žurba", "zhurba"),
            ("Żurba", "zhurba"),
            ("Дар'я", "daria"),
            ("Дарʼя", "daria"),
            ("Дарья", "daria"),
            ("Daria", "daria"),
            ("Наталія", "natalia"),
            ("Наталья", "natalia"),
            ("Natalija", "natalia"),
            ("Юрій", "iuri"),
            ("Yurii", "iuri"),
            ("Yuriy", "iuri"),
            ("Jurij", "iuri"),
            ("Iurii", "iuri"),
            ("Їжак", "izhak"),
            ("Yizhak", "izhak"),
            ("Євгенія", "evhenia"),
            ("Yevheniia", "evhenia"),
            ("Ievgeniia", "evhenia"),
            ("Андрієнко", "andrenko"),
            ("Andriienko", "andrenko"),
            ("Подъячев", "podiachev"),
            ("Эдуард", "eduard"),
            ("Ёлкин", "elkin"),
            ("Ганна", "hana"),
            ("Hanna", "hana"),
            ("Alexandr", "aleksandr"),
            ("Přemysl Dvořák", "premisl dvorak"),
            ("Łukasz Wójcik", "lukash voitsik"),
            ("Müller-Lüdenscheidt", "muler ludenscheidt"),
            ("Chevtchenko", "chevchenko"),
            ("O'Brien", "obren"),
            ("", ""),
            ("  -- ", ""),
        ];
        for (name, folded) in table {
            assert_eq!(fold(name), folded, "{name}");
        }
    }

    #[test]
    fn russian_and_ukrainian_first_name_forms_match() {
        let pairs = [
            ("Олександр", "Александр"),
            ("Oleksandr", "Aleksandr"),
            ("Олексій", "Алексей"),
            ("Oleksii", "Alexey"),
            ("Микола", "Николай"),
            ("Mykola", "Nikolay"),
            ("Дмитро", "Дмитрий"),
            ("Dmytro", "Dmitriy"),
            ("Андрій", "Андрей"),
            ("Andrii", "Andrey"),
            ("Сергій", "Сергей"),
            ("Serhiy", "Sergey"),
            ("Наталія", "Наталья"),
            ("Ганна", "Анна"),
            ("Hanna", "Anna"),
            ("Катерина", "Екатерина"),
            ("Kateryna", "Yekaterina"),
            ("Юрій", "Юрий"),
            ("Євген", "Евгений"),
            ("Yevhen", "Evgeniy"),
            ("Іван", "Иван"),
            ("Олена", "Елена"),
            ("Olena", "Yelena"),
            ("Ольга", "Olga"),
            ("Olha", "Olga"),
            ("Тетяна", "Татьяна"),
            ("Tetiana", "Tatyana"),
            ("Петро", "Пётр"),
            ("Petro", "Petr"),
            ("Petro", "Pyotr"),
            ("Володимир", "Владимир"),
            ("Федір", "Фёдор"),
        ];
        for (a, b) in pairs {
            assert_eq!(name_key(a), name_key(b), "{a} / {b}");
            assert_eq!(
                name_key(&format!("{a} Коваленко")),
                name_key(&format!("Kovalenko {b}")),
                "{a} / {b}"
            );
        }
    }

    #[test]
    fn matches_and_non_matches() {
        // (a, b, expected)
        let table: &[(&str, &str, Option<NameMatch>)] = &[
            (
                "Олександр Шевченко",
                "Oleksandr Shevchenko",
                Some(NameMatch::Exact),
            ),
            (
                "Shevchenko Oleksandr",
                "Oleksandr Shevchenko",
                Some(NameMatch::Exact),
            ),
            // One edit in a long word.
            (
                "Oleksandr Shevchenko",
                "Oleksandr Shevchenka",
                Some(NameMatch::Similar),
            ),
            (
                "Oksana Petrenko",
                "Oksana Petrenkov",
                Some(NameMatch::Similar),
            ),
            // A patronymic on one side.
            (
                "Шевченко Олександр Петрович",
                "Oleksandr Shevchenko",
                Some(NameMatch::Similar),
            ),
            // Different surnames.
            ("Олександр Шевченко", "Олександр Шевчук", None),
            ("Шевченко", "Шевчук", None),
            ("Shevchenko", "Shevchuk", None),
            // Different first names, even one edit apart in a short word.
            ("Olena Shevchenko", "Oleh Shevchenko", None),
            ("Olena", "Oleh", None),
            ("Ivan Petrenko", "Iван Petrenko", Some(NameMatch::Exact)),
            ("Ivan Petrenko", "Ivan Petrenko Jr Sr", None),
            // Two words differ.
            ("Oleksandr Shevchenko", "Oleksandra Shevchenka", None),
            // A patronymic is not enough on a one-word name.
            ("Shevchenko", "Shevchenko Oleksandr", None),
            ("", "", None),
            ("Shevchenko", "", None),
        ];
        for (a, b, expected) in table {
            assert_eq!(
                match_keys(&name_key(a), &name_key(b)),
                *expected,
                "{a} / {b}"
            );
            assert_eq!(similar(a, b), expected.is_some(), "{a} / {b}");
            assert_eq!(similar(b, a), expected.is_some(), "{b} / {a}");
        }
    }

    #[test]
    fn no_name_form_belongs_to_two_groups_and_every_form_is_a_fixed_point() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, group) in NAME_FORMS.iter().enumerate() {
            for form in group.iter() {
                let key = fold(form);
                assert!(!key.is_empty() && !key.contains(' '), "{form}");
                if let Some(other) = seen.insert(key.clone(), i) {
                    assert_eq!(other, i, "{form} ({key}) is in two groups");
                }
            }
        }
        for canonical in forms().values() {
            assert_eq!(canonical_form(canonical), canonical);
            assert_eq!(name_key(canonical), *canonical);
        }
    }

    #[test]
    fn edit_distance() {
        assert_eq!(edits("", ""), 0);
        assert_eq!(edits("abc", ""), 3);
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("shevchenko", "shevchanko"), 1);
        assert_eq!(edits("shevchenko", "shevchuk"), 3);
    }

    fn names() -> impl Strategy<Value = String> {
        "[a-zA-Zа-яА-ЯіїєґІЇЄҐёЁўЎšŠčČžŽřŘěĚůŮáÁéÉíÍóÓúÚýÝłŁąĄęĘśŚźŹżŻńŃßäöüÄÖÜ '’ʼ.-]{0,40}"
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(name in names()) {
            let once = fold(&name);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_is_idempotent_on_any_text(name in any::<String>()) {
            let once = fold(&name);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_is_case_insensitive(name in names()) {
            let folded = fold(&name);
            prop_assert_eq!(fold(&name.to_uppercase()), folded.clone());
            prop_assert_eq!(fold(&name.to_lowercase()), folded);
        }

        #[test]
        fn name_key_is_idempotent_and_ignores_word_order(name in names()) {
            let key = name_key(&name);
            prop_assert_eq!(name_key(&key), key.clone());
            let reversed: Vec<&str> = name.split(' ').rev().collect();
            prop_assert_eq!(name_key(&reversed.join(" ")), key.clone());
            if !key.is_empty() {
                prop_assert_eq!(match_keys(&key, &key), Some(NameMatch::Exact));
            }
        }

        #[test]
        fn matching_is_symmetric(a in names(), b in names()) {
            prop_assert_eq!(match_keys(&name_key(&a), &name_key(&b)), match_keys(&name_key(&b), &name_key(&a)));
        }
    }
}
