//! One escaping function per output syntax, for every writer that copies
//! text it read from a file into what it writes: YAML scalars and
//! comments, Markdown inline text and code, terminal text, JSON strings.
