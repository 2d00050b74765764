//! `s3://bucket/key` locations.

use std::fmt;
use std::str::FromStr;

use super::RemoteError;

/// An S3 object or prefix, `s3://<bucket>/<key>`.
///
/// ```
/// use pipeline_remote::S3Url;
/// let url: S3Url = "s3://models/titanic/model.json".parse().unwrap();
/// assert_eq!((url.bucket.as_str(), url.key.as_str()), ("models", "titanic/model.json"));
/// assert_eq!(url.join("v2").to_string(), "s3://models/titanic/model.json/v2");
/// assert!("s3://Bad_Bucket/x".parse::<S3Url>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Url {
    /// Bucket name (3-63 characters: lowercase letters, digits, `.` and `-`).
    pub bucket: String,
    /// Object key or key prefix, without a leading `/` (may be empty for a bucket root).
    pub key: String,
}

impl S3Url {
    /// `self` with `/<rest>` appended to the key.
    pub fn join(&self, rest: &str) -> S3Url {
        let rest = rest.trim_start_matches('/');
        let key = match self.key.trim_end_matches('/') {
            "" => rest.to_owned(),
            key => format!("{key}/{rest}"),
        };
        S3Url {
            bucket: self.bucket.clone(),
            key,
        }
    }
}

impl FromStr for S3Url {
    type Err = RemoteError;

    fn from_str(text: &str) -> Result<Self, RemoteError> {
        let bad = |why: &str| RemoteError::BadUrl {
            url: text.to_owned(),
            message: why.to_owned(),
        };
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| bad("does not start with s3://"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            return Err(bad(
                "the bucket name must be 3-63 lowercase letters, digits, `.` or `-`",
            ));
        }
        Ok(S3Url {
            bucket: bucket.to_owned(),
            key: key.trim_end_matches('/').to_owned(),
        })
    }
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}
