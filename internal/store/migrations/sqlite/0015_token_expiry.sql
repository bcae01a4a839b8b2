-- API tokens end: each is made with its end (90 days unless given another);
-- a token made before has none recorded and ends 90 days after it was made.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
