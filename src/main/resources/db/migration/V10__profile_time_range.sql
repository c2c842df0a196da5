-- The end of the time a profile's samples cover per the client (epoch millis): a pprof's
-- time_nanos + duration_nanos, an Arrow stream's last row timestamp per label set; with
-- sample_time (the start) the profile's time range. NULL when unknown (and for older rows).

ALTER TABLE profiles ADD COLUMN sample_end BIGINT;
