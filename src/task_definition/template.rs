//! Task definitions kept as templates: the placeholders CI fills in before
//! registering them, in the syntaxes real repositories use. A placeholder
//! is named by its variable (`IMAGE` in `${IMAGE}`, `{{ must_env `IMAGE`
//! }}` and `<IMAGE>` alike), which the spec's `parameters:` maps to a value
//! or an input; one that stands where JSON needs a value (`"containerPort":
//! ${port}`, `{{ containers|tojson }}`) is read as a typed stand-in.

/// How a placeholder is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Syntax {
    /// `${NAME}`: envsubst, Terraform's `templatefile` (where `$${` is a
    /// literal `${`), shell.
    DollarBrace,
    /// `$NAME`: envsubst.
    Dollar,
    /// `{{ must_env `NAME` }}`, `{{ env "NAME" }}`, `{{ tfstate `...` }}`,
    /// `{{ .Name }}`: ecspresso and other Go templates.
    Go,
    /// ecspresso's `{{ secretsmanager_arn `NAME` }}`: the ARN of the
    /// secret NAME in the account and region ecspresso deploys to.
    GoSecretArn,
    /// `{{ name }}`, `{{ name|tojson }}`: Jinja.
    Jinja,
    /// `<NAME>`: GitHub's render-task-definition examples (`<IMAGE_NAME>`,
    /// `<AWS_ACCOUNT_ID>`) and documentation.
    Angle,
    /// `{INSERT REGION}`: tutorials.
    Insert,
    /// `$$$NAME$$$`: test harnesses.
    Triple,
}

impl Syntax {
    /// The syntax as messages name it.
    #[must_use]
    pub fn described(self) -> &'static str {
        match self {
            Syntax::DollarBrace => "`${...}`, as envsubst and Terraform's templatefile fill",
            Syntax::Dollar => "`$NAME`, as envsubst fills",
            Syntax::Go | Syntax::GoSecretArn => "`{{ ... }}`, as ecspresso and Go templates fill",
            Syntax::Jinja => "`{{ ... }}`, as Jinja fills",
            Syntax::Angle => "`<...>`, as GitHub's render-task-definition examples leave",
            Syntax::Insert => "`{INSERT ...}`, as tutorials leave",
            Syntax::Triple => "`$$$...$$$`",
        }
    }
}

/// One placeholder in a value: its bytes `start..end`, the variable it
/// names, and how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub start: usize,
    pub end: usize,
    pub name: String,
    pub syntax: Syntax,
}

/// The placeholders in a string value, in order. `bare_dollar` reads
/// `$NAME` as one: not in Fluent Bit's options, where `$TAG` is Fluent
/// Bit's own.
#[must_use]
pub fn scan(value: &str, bare_dollar: bool) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut closers = Closers::default();
    let mut i = 0;
    while i < bytes.len() {
        match at(value, i, bare_dollar, &mut closers) {
            Some(p) => {
                i = p.end;
                out.push(p);
            }
            None if value[i..].starts_with("$${") => i += 3,
            None => i += value[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn identifier_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count()
}

/// The longest placeholder read. Real ones are a variable's name or a short
/// expression.
const MAX_LEN: usize = 1024;

/// Where the next closing delimiter of each kind stands, found once and
/// kept while the scan moves on: each unclosed `<`, `{`, `${` or `{{` of a
/// hostile file would otherwise search the rest of it again, which makes
/// reading the file quadratic in its length. Offsets only grow, so every
/// byte is searched at most once per delimiter.
#[derive(Default)]
struct Closers {
    /// The last answer for each delimiter.
    found: [Next; 3],
}

/// Where a delimiter was last found.
#[derive(Clone, Copy, Default)]
enum Next {
    /// Not looked for yet.
    #[default]
    Unknown,
    At(usize),
    /// None follows.
    Nowhere,
}

impl Closers {
    const DELIMITERS: [&'static str; 3] = ["}", "}}", ">"];

    /// Where the first `delimiter` at or after `from` in `text` starts,
    /// when it is within [`MAX_LEN`] bytes of `from`.
    fn next(&mut self, text: &str, from: usize, delimiter: &str) -> Option<usize> {
        let k = Self::DELIMITERS.iter().position(|d| *d == delimiter)?;
        let at = match self.found[k] {
            Next::At(at) if at >= from => Some(at),
            Next::Nowhere => None,
            _ => {
                let at = text[from..].find(delimiter).map(|i| from + i);
                self.found[k] = at.map_or(Next::Nowhere, Next::At);
                at
            }
        }?;
        (at - from < MAX_LEN).then_some(at)
    }
}

/// The placeholder starting at byte `i`, if one does.
fn at(value: &str, i: usize, bare_dollar: bool, closers: &mut Closers) -> Option<Placeholder> {
    let rest = &value[i..];
    let make = |len: usize, name: &str, syntax| {
        Some(Placeholder {
            start: i,
            end: i + len,
            name: name.to_owned(),
            syntax,
        })
    };
    if let Some(after) = rest.strip_prefix("$$$") {
        let len = identifier_len(after);
        if len > 0 && after[len..].starts_with("$$$") {
            return make(len + 6, &after[..len], Syntax::Triple);
        }
        return None;
    }
    if rest.starts_with("$${") {
        // Terraform's escape: a literal `${`.
        return None;
    }
    if let Some(after) = rest.strip_prefix("${") {
        let close = closers.next(value, i + 2, "}")? - (i + 2);
        let inner = after[..close].trim();
        // `${NAME:-default}`, `${NAME-default}`: the variable is NAME.
        let len = identifier_len(inner);
        let name = if len > 0 && is_name(&inner[..len]) {
            &inner[..len]
        } else {
            inner
        };
        if name.is_empty() {
            return None;
        }
        return make(close + 3, name, Syntax::DollarBrace);
    }
    if let Some(after) = rest.strip_prefix('$') {
        let len = identifier_len(after);
        if bare_dollar && len > 0 && is_name(&after[..len]) {
            return make(len + 1, &after[..len], Syntax::Dollar);
        }
        return None;
    }
    if let Some(after) = rest.strip_prefix("{{") {
        let close = closers.next(value, i + 2, "}}")? - (i + 2);
        let inner = after[..close]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let (name, syntax) = go_or_jinja(inner)?;
        return make(close + 4, &name, syntax);
    }
    if let Some(after) = rest.strip_prefix('<') {
        let close = closers.next(value, i + 1, ">")? - (i + 1);
        let inner = &after[..close];
        let ok = inner
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        return ok.then(|| make(close + 2, inner, Syntax::Angle))?;
    }
    if let Some(after) = rest.strip_prefix('{') {
        let close = closers.next(value, i + 1, "}")? - (i + 1);
        let inner = &after[..close];
        let ok = inner.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && inner
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || " _-".contains(c));
        return ok.then(|| make(close + 2, inner.trim(), Syntax::Insert))?;
    }
    None
}

/// The variable a `{{ ... }}` names: a Go template's `must_env`, `env`,
/// `tfstate` or `ssm` argument or `.Field`, or a Jinja expression's
/// variable (before any filter).
fn go_or_jinja(inner: &str) -> Option<(String, Syntax)> {
    let mut words = inner.split_whitespace();
    let first = words.next()?;
    if matches!(
        first,
        "must_env" | "env" | "tfstate" | "ssm" | "secretsmanager_arn"
    ) {
        let argument = inner[first.len()..].trim();
        let unquoted = argument
            .strip_prefix(['`', '"'])
            .and_then(|a| a.find(['`', '"']).map(|e| &a[..e]))
            .unwrap_or(argument);
        let syntax = if first == "secretsmanager_arn" {
            Syntax::GoSecretArn
        } else {
            Syntax::Go
        };
        return (!unquoted.is_empty()).then(|| (unquoted.to_owned(), syntax));
    }
    if let Some(field) = first.strip_prefix('.') {
        return (!field.is_empty()).then(|| (field.to_owned(), Syntax::Go));
    }
    let variable = inner.split('|').next().unwrap_or_default().trim();
    (!variable.is_empty()).then(|| (variable.to_owned(), Syntax::Jinja))
}

/// Where an image reference's tag or digest starts (its length when it has
/// neither): the first `:` or `@` after the last `/`.
#[must_use]
pub fn tag_start(reference: &str) -> usize {
    let last = reference.rfind('/').map_or(0, |i| i + 1);
    reference[last..]
        .find(['@', ':'])
        .map_or(reference.len(), |i| last + i)
}

/// The input `init` declares for a placeholder: the variable in the form
/// an input takes (a letter, then letters and digits): `AWS_ACCOUNT_ID`
/// is `AwsAccountId`, `imageUri` is `ImageUri`.
#[must_use]
pub fn input_name(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest: String = chars.collect();
        if rest.bytes().any(|b| b.is_ascii_lowercase()) {
            out.push_str(&rest);
        } else {
            out.push_str(&rest.to_ascii_lowercase());
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'P');
    }
    out.truncate(200);
    out
}

/// The input `init` declares for the ECR repository of an image that the
/// input `image` stands for as a whole: `ImageUri` and `ImageName` give
/// `ImageRepository`, `AppImage` gives `AppRepository`,
/// `EcrRepositoryUri` gives `EcrRepository`.
#[must_use]
pub fn repository_input(image: &str) -> String {
    let mut base = image;
    for suffix in ["Uri", "Url", "URI", "URL", "Name", "Ref", "Tag"] {
        base = base.strip_suffix(suffix).unwrap_or(base);
    }
    if base.ends_with("Repository") || base.ends_with("Repo") {
        return base.to_owned();
    }
    let base = base.strip_suffix("Image").unwrap_or(base);
    format!("{}Repository", if base.is_empty() { "Image" } else { base })
}

/// Where a placeholder stood in place of a JSON value, read as `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandIn {
    /// Line and column, from 1.
    pub pos: (usize, usize),
    /// The placeholder as written.
    pub written: String,
    pub syntax: Syntax,
}

/// A JSON template's text with each placeholder that stands where a value
/// belongs (outside any string: `"containerPort": ${port}`, `{{
/// containers|tojson }}`) replaced by a typed stand-in of the same length,
/// `null` (or `0` where the placeholder is shorter), so that every other
/// value keeps its line and column. `None` when there is none.
#[must_use]
pub fn stand_ins(text: &str) -> Option<(String, Vec<StandIn>)> {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let (mut line, mut column) = (1, 1);
    let mut in_string = false;
    let mut escaped = false;
    let mut closers = Closers::default();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next()?;
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(p) = at(text, i, true, &mut closers) {
            let written = &text[p.start..p.end];
            let chars = written.chars().filter(|c| *c != '\n').count();
            let filler = if chars >= 4 { "null" } else { "0" };
            let mut put = filler.chars();
            for w in written.chars() {
                if w == '\n' {
                    out.push('\n');
                } else {
                    out.push(put.next().unwrap_or(' '));
                }
            }
            found.push(StandIn {
                pos: (line, column),
                written: written.to_owned(),
                syntax: p.syntax,
            });
            for w in written.chars() {
                if w == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            i = p.end;
            continue;
        }
        out.push(c);
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
        i += c.len_utf8();
    }
    (!found.is_empty()).then_some((out, found))
}

/// The template syntaxes a file's text holds, for the message when it
/// does not parse even with stand-ins (`{% for %}` blocks, a placeholder
/// in place of a key).
#[must_use]
pub fn syntaxes(text: &str) -> Vec<Syntax> {
    let mut out: Vec<Syntax> = scan(text, true).into_iter().map(|p| p.syntax).collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Vec<(String, Syntax)> {
        scan(value, true)
            .into_iter()
            .map(|p| (p.name, p.syntax))
            .collect()
    }

    #[test]
    fn every_syntax_names_its_variable() {
        for (value, name, syntax) in [
            ("${IMAGE}", "IMAGE", Syntax::DollarBrace),
            ("${ IMAGE }", "IMAGE", Syntax::DollarBrace),
            ("${IMAGE:-nginx}", "IMAGE", Syntax::DollarBrace),
            ("$APP_IMAGE", "APP_IMAGE", Syntax::Dollar),
            ("{{ must_env `IMAGE` }}", "IMAGE", Syntax::Go),
            ("{{ env \"IMAGE\" \"nginx\" }}", "IMAGE", Syntax::Go),
            (
                "{{ tfstate `aws_ecr_repository.app.repository_url` }}",
                "aws_ecr_repository.app.repository_url",
                Syntax::Go,
            ),
            ("{{ .Image }}", "Image", Syntax::Go),
            (
                "{{ secretsmanager_arn `app/db` }}",
                "app/db",
                Syntax::GoSecretArn,
            ),
            ("{{- .Image -}}", "Image", Syntax::Go),
            ("{{ image|tojson }}", "image", Syntax::Jinja),
            ("{{ image | default('x') }}", "image", Syntax::Jinja),
            ("<IMAGE_NAME>", "IMAGE_NAME", Syntax::Angle),
            ("{INSERT REGION}", "INSERT REGION", Syntax::Insert),
            ("$$$LOG_GROUP$$$", "LOG_GROUP", Syntax::Triple),
        ] {
            assert_eq!(names(value), vec![(name.to_owned(), syntax)], "{value}");
        }
    }

    #[test]
    fn placeholders_keep_their_place_in_a_value() {
        let value = "arn:aws:secretsmanager:{INSERT REGION}:<AWS_ACCOUNT_ID>:secret:db";
        let found = scan(value, true);
        assert_eq!(found.len(), 2);
        assert_eq!(&value[found[0].start..found[0].end], "{INSERT REGION}");
        assert_eq!(&value[found[1].start..found[1].end], "<AWS_ACCOUNT_ID>");
    }

    #[test]
    fn what_is_not_a_placeholder() {
        for value in [
            "$${IMAGE}",
            "nginx:1.25",
            "/ecs/app",
            "a$",
            "${}",
            "{lower}",
            "<>",
            "{{}}",
        ] {
            assert_eq!(names(value), vec![], "{value}");
        }
        // Fluent Bit's own `$TAG` when bare dollars are not read.
        assert_eq!(scan("logs/$TAG/%Y", false), vec![]);
    }

    #[test]
    fn a_placeholder_closes_within_its_bound() {
        let long = format!("<{}>", "A".repeat(MAX_LEN));
        assert_eq!(names(&long), vec![]);
        let short = format!("<{}>", "A".repeat(MAX_LEN - 2));
        assert_eq!(scan(&short, true).len(), 1);
        // A closer found once serves every opener before it.
        let many = format!("{}{}>", "<".repeat(10), "A".repeat(10));
        assert_eq!(names(&many), vec![("AAAAAAAAAA".to_owned(), Syntax::Angle)]);
    }

    #[test]
    fn tags_start_after_the_repository() {
        assert_eq!(tag_start("nginx"), 5);
        assert_eq!(tag_start("nginx:1.25"), 5);
        assert_eq!(tag_start("localhost:5000/app@sha256:ab"), 18);
        assert_eq!(tag_start("<input.Image>:v1"), 13);
    }

    #[test]
    fn input_names() {
        assert_eq!(input_name("AWS_ACCOUNT_ID"), "AwsAccountId");
        assert_eq!(input_name("imageUri"), "ImageUri");
        assert_eq!(input_name("INSERT REGION"), "InsertRegion");
        assert_eq!(
            input_name("aws_ecr_repository.app.repository_url"),
            "AwsEcrRepositoryAppRepositoryUrl"
        );
        assert_eq!(input_name("1x"), "P1x");
        assert_eq!(repository_input("ImageName"), "ImageRepository");
        assert_eq!(repository_input("ImageUrl"), "ImageRepository");
        assert_eq!(repository_input("AppImage"), "AppRepository");
        assert_eq!(repository_input("EcrRepositoryUri"), "EcrRepository");
        assert_eq!(repository_input("Image"), "ImageRepository");
    }

    #[test]
    fn stand_ins_keep_every_position() {
        let text = "{\"a\": ${port}, \"b\": \"${x}\",\n \"c\": {{ cs|tojson }}, \"d\": $P}";
        let (filled, found) = stand_ins(text).unwrap();
        assert_eq!(filled.len(), text.len());
        assert_eq!(
            filled,
            "{\"a\": null   , \"b\": \"${x}\",\n \"c\": null           , \"d\": 0 }"
        );
        serde_json::from_str::<serde_json::Value>(&filled).unwrap();
        let at: Vec<_> = found.iter().map(|s| (s.pos, s.written.as_str())).collect();
        assert_eq!(
            at,
            vec![
                ((1, 7), "${port}"),
                ((2, 7), "{{ cs|tojson }}"),
                ((2, 29), "$P")
            ]
        );
        assert_eq!(stand_ins("{\"a\": \"${x}\"}"), None);
    }
}
