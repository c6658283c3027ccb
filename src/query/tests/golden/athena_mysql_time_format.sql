-- the format translation itself: literal text, %% and unknown specifiers pass through
SELECT mysql_time_format('%Y-%m-%d %H:%i:%s', false) AS basic,
       mysql_time_format('%e %c %k %l %f', false) AS formatting,
       mysql_time_format('%e %c %k %l %f', true) AS parsing,
       mysql_time_format('100%% %q %r %T', false) AS literals;
