-- How many stored profiles of a series carry each profile type, so that deleting profiles
-- (retention, recovery) removes a type from the series list once its last profile is gone,
-- without re-reading the series' remaining rows.

ALTER TABLE series_profile_types ADD COLUMN profiles BIGINT NOT NULL DEFAULT 0;

UPDATE series_profile_types SET profiles = (
  SELECT COUNT(*) FROM profiles p, ${json_array_elements}
  WHERE p.project_id = series_profile_types.project_id
    AND p.series_id = series_profile_types.series_id
    AND j.value = series_profile_types.profile_type);

DELETE FROM series_profile_types WHERE profiles <= 0;
