package all

import _ "github.com/msticgo/msticgo/data/drivers/localdata" // LocalData environment
