DROP TABLE case_transfers;
DROP TABLE staff_leave;
