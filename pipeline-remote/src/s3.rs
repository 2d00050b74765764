//! A blocking S3 client configured from the environment (see the [module docs](super)).

use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::ByteStream;

use super::{chain, runtime, RemoteError, S3Url};

/// A blocking S3 client: endpoint override with path-style addressing, `WhenRequired`
/// checksums, bounded timeouts and retries.
///
/// ```no_run
/// use pipeline_remote::{S3Client, S3Url};
/// let s3 = S3Client::from_env()?;
/// let url: S3Url = "s3://models/titanic/model.json".parse()?;
/// s3.put(&url, b"{}")?;
/// assert_eq!(s3.get(&url)?, b"{}");
/// # Ok::<(), pipeline_remote::RemoteError>(())
/// ```
#[derive(Debug, Clone)]
pub struct S3Client {
    client: aws_sdk_s3::Client,
    endpoint: String,
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

/// Where and as whom to reach S3.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// Endpoint override (`http://127.0.0.1:4566` for LocalStack); `None` for AWS.
    pub endpoint: Option<String>,
    /// Region (`us-east-1` unless set).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl S3Config {
    /// From `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Result<S3Config, RemoteError> {
        let (Some(access_key_id), Some(secret_access_key)) =
            (env(&["AWS_ACCESS_KEY_ID"]), env(&["AWS_SECRET_ACCESS_KEY"]))
        else {
            return Err(RemoteError::Config(
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            ));
        };
        Ok(S3Config {
            endpoint: env(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]),
            region: env(&["AWS_REGION", "AWS_DEFAULT_REGION"]).unwrap_or("us-east-1".into()),
            access_key_id,
            secret_access_key,
            session_token: env(&["AWS_SESSION_TOKEN"]),
        })
    }
}

impl S3Client {
    /// A client configured from the environment ([`S3Config::from_env`]).
    pub fn from_env() -> Result<S3Client, RemoteError> {
        S3Client::new(&S3Config::from_env()?)
    }

    /// A client for `config`.
    pub fn new(config: &S3Config) -> Result<S3Client, RemoteError> {
        let credentials = Credentials::new(
            &config.access_key_id,
            &config.secret_access_key,
            config.session_token.clone(),
            None,
            "pipeline-dsl",
        );
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(credentials)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .operation_timeout(Duration::from_secs(180))
                    .build(),
            );
        if let Some(url) = &config.endpoint {
            if !url.starts_with("http://") && !url.starts_with("https://") {
                return Err(RemoteError::Config(format!(
                    "endpoint `{url}` must start with http:// or https://"
                )));
            }
            builder = builder.endpoint_url(url).force_path_style(true);
        }
        Ok(S3Client {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            endpoint: config.endpoint.clone().unwrap_or_else(|| "AWS S3".into()),
        })
    }

    /// The object's bytes.
    pub fn get(&self, url: &S3Url) -> Result<Vec<u8>, RemoteError> {
        self.get_if_exists(url)?
            .ok_or_else(|| RemoteError::NotFound {
                url: url.to_string(),
            })
    }

    /// The object's bytes, or `None` when there is no such key.
    pub fn get_if_exists(&self, url: &S3Url) -> Result<Option<Vec<u8>>, RemoteError> {
        runtime()?.block_on(async {
            let sent = self
                .client
                .get_object()
                .bucket(&url.bucket)
                .key(&url.key)
                .send()
                .await;
            match sent {
                Ok(out) => {
                    let body = out.body.collect().await.map_err(|e| RemoteError::Request {
                        url: url.to_string(),
                        message: format!("reading the body: {e}"),
                    })?;
                    Ok(Some(body.into_bytes().to_vec()))
                }
                Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => Ok(None),
                Err(e) => Err(self.error(url, e)),
            }
        })
    }

    /// The object's metadata (`HEAD`), or `None` when there is no such key.
    fn head(&self, url: &S3Url) -> Result<Option<HeadObjectOutput>, RemoteError> {
        runtime()?.block_on(async {
            let sent = self
                .client
                .head_object()
                .bucket(&url.bucket)
                .key(&url.key)
                .send()
                .await;
            match sent {
                Ok(head) => Ok(Some(head)),
                Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
                Err(e) => Err(self.error(url, e)),
            }
        })
    }

    /// True when the object exists.
    pub fn exists(&self, url: &S3Url) -> Result<bool, RemoteError> {
        Ok(self.head(url)?.is_some())
    }

    /// The object's validators, `etag=<ETag>[ version=<VersionId>]`: they change whenever its
    /// content does, so they stand for the content in a cache key without downloading it.
    pub fn version(&self, url: &S3Url) -> Result<String, RemoteError> {
        let head = self.head(url)?.ok_or_else(|| RemoteError::NotFound {
            url: url.to_string(),
        })?;
        let mut text = format!("etag={}", head.e_tag().unwrap_or_default());
        if let Some(v) = head.version_id() {
            text.push_str(&format!(" version={v}"));
        }
        if head.e_tag().is_none() {
            text.push_str(&format!(
                " size={} modified={:?}",
                head.content_length().unwrap_or_default(),
                head.last_modified()
            ));
        }
        Ok(text)
    }

    /// Writes the object (replacing it).
    pub fn put(&self, url: &S3Url, bytes: &[u8]) -> Result<(), RemoteError> {
        runtime()?.block_on(async {
            self.client
                .put_object()
                .bucket(&url.bucket)
                .key(&url.key)
                .body(ByteStream::from(bytes.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| self.error(url, e))
        })
    }

    /// Every object under `prefix` (a URL whose key is the prefix): (key, size, last modified).
    pub fn list(&self, prefix: &S3Url) -> Result<Vec<(String, u64, SystemTime)>, RemoteError> {
        runtime()?.block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_objects_v2()
                    .bucket(&prefix.bucket)
                    .prefix(&prefix.key)
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| self.error(prefix, e))?;
                for object in page.contents() {
                    let modified = object
                        .last_modified()
                        .and_then(|t| SystemTime::try_from(*t).ok())
                        .unwrap_or(SystemTime::UNIX_EPOCH);
                    let size = u64::try_from(object.size().unwrap_or_default()).unwrap_or(0);
                    out.push((object.key().unwrap_or_default().to_owned(), size, modified));
                }
                match page.next_continuation_token() {
                    Some(next) if page.is_truncated() == Some(true) => token = Some(next.into()),
                    _ => return Ok(out),
                }
            }
        })
    }

    /// Removes the object (S3 answers success when there is none).
    pub fn delete(&self, url: &S3Url) -> Result<(), RemoteError> {
        runtime()?.block_on(async {
            self.client
                .delete_object()
                .bucket(&url.bucket)
                .key(&url.key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| self.error(url, e))
        })
    }

    /// Creates `bucket` (in the client's region); one that this account already owns is fine.
    pub fn create_bucket(&self, bucket: &str) -> Result<(), RemoteError> {
        let url = S3Url {
            bucket: bucket.to_owned(),
            key: String::new(),
        };
        runtime()?.block_on(async {
            match self.client.create_bucket().bucket(bucket).send().await {
                Ok(_) => Ok(()),
                Err(SdkError::ServiceError(e)) if e.err().is_bucket_already_owned_by_you() => {
                    Ok(())
                }
                Err(e) => Err(self.error(&url, e)),
            }
        })
    }

    fn error<E, R>(&self, url: &S3Url, e: SdkError<E, R>) -> RemoteError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let message = match &e {
            SdkError::ServiceError(s) => match (s.err().code(), s.err().message()) {
                (Some(code), Some(text)) => format!("{code}: {text}"),
                (Some(code), None) => code.to_owned(),
                _ => format!("{}", DisplayErrorContext(&e)),
            },
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                format!("cannot reach S3 at {}: {}", self.endpoint, chain(&e))
            }
            _ => format!("{}", DisplayErrorContext(&e)),
        };
        RemoteError::Request {
            url: url.to_string(),
            message,
        }
    }
}
