DROP TABLE agreement_terminations;
DROP TABLE closure_opinions;
DROP TABLE closure_goal_evaluations;
DROP TABLE closure_reports;
